import { CATEGORY_COLORS, defineNode } from './define-node.js';
import { PAYLOAD_PORT, TEXT_PORT, ZTriggerExtra } from './trigger-shared.js';

/** Started by another workflow (sub-workflow node in explicit mode, spawn & await). */
export const triggerWorkflow = defineNode({
  type: 'trigger_workflow',
  displayName: 'Workflow Trigger',
  description: 'Runs the workflow when another workflow calls it.',
  category: 'trigger',
  inputs: [],
  outputs: [TEXT_PORT, PAYLOAD_PORT],
  config: ZTriggerExtra,
  flags: { trigger: true, executable: false },
  palette: { label: 'Workflow', color: CATEGORY_COLORS.trigger, icon: 'workflow' },
});
