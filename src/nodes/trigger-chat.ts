import { CATEGORY_COLORS, defineNode } from './define-node.js';
import { FILES_PORT, PAYLOAD_PORT, TEXT_PORT, ZTriggerExtra } from './trigger-shared.js';

/** Started by a chat message (`POST /api/v1/workflows/{slug}/chat/`) or a gateway message. */
export const triggerChat = defineNode({
  type: 'trigger_chat',
  displayName: 'Chat Trigger',
  description: 'Runs the workflow for each chat message.',
  category: 'trigger',
  inputs: [],
  outputs: [TEXT_PORT, FILES_PORT, PAYLOAD_PORT],
  config: ZTriggerExtra,
  flags: { trigger: true, executable: false },
  palette: { label: 'Chat', color: CATEGORY_COLORS.trigger, icon: 'message' },
});
