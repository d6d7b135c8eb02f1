import { defineTool } from './tool-shared.js';

/** Dry-runs the workflow DSL compiler on a YAML document. */
export const validateTopology = defineTool({
  type: 'validate_topology',
  displayName: 'Validate Topology',
  description: 'Lets the agent check a workflow YAML document without creating it.',
  category: 'sub_component',
  icon: 'network',
});
