import { defineTool, SELF_AWARENESS_COLOR } from './tool-shared.js';

/** Scores existing workflows against requirements (reuse / fork / create new). */
export const workflowDiscover = defineTool({
  type: 'workflow_discover',
  displayName: 'Workflow Discover',
  description: 'Lets the agent find existing workflows that match requirements.',
  category: 'sub_component',
  icon: 'compass',
  color: SELF_AWARENESS_COLOR,
});
