import { CATEGORY_COLORS, defineNode } from './define-node.js';
import { FILES_PORT, PAYLOAD_PORT, TEXT_PORT, ZTriggerExtra } from './trigger-shared.js';

/** Started by a Telegram message arriving through the message gateway (`POST /api/v1/inbound`). */
export const triggerTelegram = defineNode({
  type: 'trigger_telegram',
  displayName: 'Telegram Trigger',
  description: 'Runs the workflow for each Telegram message received by the gateway.',
  category: 'trigger',
  inputs: [],
  outputs: [TEXT_PORT, { name: 'chat_id', data_type: 'number' }, FILES_PORT, PAYLOAD_PORT],
  config: ZTriggerExtra,
  flags: { trigger: true, executable: false },
  palette: { label: 'Telegram', color: CATEGORY_COLORS.trigger, icon: 'send' },
});
