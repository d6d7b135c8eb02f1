import { z } from 'zod';
import { CATEGORY_COLORS, defineNode } from './define-node.js';

/** Finds or creates the memory user behind the trigger payload and loads their context. */
export const ZIdentifyUserConfig = z.looseObject({
  /** Force a channel (`telegram`, `webhook`, `chat`, `manual`); empty = infer from the payload. */
  channel: z.string().default(''),
});

export const identifyUser = defineNode({
  type: 'identify_user',
  displayName: 'Identify User',
  description: 'Identifies the user behind the trigger and loads what memory knows about them.',
  category: 'memory',
  inputs: [
    { name: 'trigger_input', data_type: 'object', required: true },
    { name: 'channel', data_type: 'string', required: true },
  ],
  outputs: [
    { name: 'user_id', data_type: 'string' },
    { name: 'user_context', data_type: 'object' },
    { name: 'is_new_user', data_type: 'boolean' },
  ],
  config: ZIdentifyUserConfig,
  flags: { executable: true },
  palette: { label: 'Identify User', color: CATEGORY_COLORS.memory, icon: 'user-search' },
});
