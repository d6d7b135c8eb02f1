import { CATEGORY_COLORS, defineNode } from './define-node.js';
import { PAYLOAD_PORT, TEXT_PORT, ZTriggerExtra } from './trigger-shared.js';

/** Started by the "Run" button: `POST /api/v1/workflows/{slug}/execute/`. Payload `{text}`. */
export const triggerManual = defineNode({
  type: 'trigger_manual',
  displayName: 'Manual Trigger',
  description: 'Runs the workflow when you press Run (or call the execute API).',
  category: 'trigger',
  inputs: [],
  outputs: [TEXT_PORT, PAYLOAD_PORT],
  config: ZTriggerExtra,
  flags: { trigger: true, executable: false },
  palette: { label: 'Manual', color: CATEGORY_COLORS.trigger, icon: 'play' },
});
