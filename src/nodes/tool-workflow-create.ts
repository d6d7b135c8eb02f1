import { defineTool, SELF_AWARENESS_COLOR } from './tool-shared.js';

/** Compiles a YAML DSL document into a new workflow owned by this workflow's owner. */
export const workflowCreate = defineTool({
  type: 'workflow_create',
  displayName: 'Workflow Create',
  description: 'Lets the agent create workflows from the YAML DSL.',
  category: 'agent',
  icon: 'file-plus',
  color: SELF_AWARENESS_COLOR,
});
