import { CATEGORY_COLORS, defineNode } from './define-node.js';
import { ZTriggerExtra } from './trigger-shared.js';

/**
 * Started when a workflow that names this workflow as its error handler fails. Payload:
 * `{error: {message, error_code, source_node_id, execution_id, workflow_slug}}`.
 */
export const triggerError = defineNode({
  type: 'trigger_error',
  displayName: 'Error Trigger',
  description: 'Runs the workflow when a workflow using it as error handler fails.',
  category: 'trigger',
  inputs: [],
  outputs: [
    { name: 'error', data_type: 'object', description: 'message, error_code, source_node_id, execution_id' },
  ],
  config: ZTriggerExtra,
  flags: { trigger: true, executable: false },
  palette: { label: 'Error', color: CATEGORY_COLORS.trigger, icon: 'alert' },
});
