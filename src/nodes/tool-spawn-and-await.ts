import { defineTool, SELF_AWARENESS_COLOR } from './tool-shared.js';

/** Starts child executions (`tasks`) and resumes the agent with their results. */
export const spawnAndAwait = defineTool({
  type: 'spawn_and_await',
  displayName: 'Spawn & Await',
  description: 'Lets the agent run workflows as child tasks and wait for the results.',
  category: 'agent',
  icon: 'git-fork',
  color: SELF_AWARENESS_COLOR,
});
