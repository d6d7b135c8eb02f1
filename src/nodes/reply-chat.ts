import { z } from 'zod';
import { CATEGORY_COLORS, defineNode } from './define-node.js';

/** Sets the execution's reply: the rendered `message` (or the node's system prompt). */
export const ZReplyChatConfig = z.looseObject({
  message: z.string().default(''),
});

export const replyChat = defineNode({
  type: 'reply_chat',
  displayName: 'Reply to Chat',
  description: 'Sends a message back as the workflow output.',
  category: 'output',
  inputs: [{ name: 'input', data_type: 'any' }],
  outputs: [{ name: 'output', data_type: 'string' }],
  config: ZReplyChatConfig,
  flags: { executable: true, replayable: true },
  palette: { label: 'Reply', color: CATEGORY_COLORS.output, icon: 'reply' },
  async run(ctx) {
    const message = ctx.nodeConfig.system_prompt || ctx.config.message;
    return { outputs: { output: message }, finalOutput: message };
  },
});
