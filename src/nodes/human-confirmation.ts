import { z } from 'zod';
import { isApproval } from '../engine/approval.js';
import { CATEGORY_COLORS, defineNode } from './define-node.js';

/**
 * Pauses the execution until someone approves or denies (REST API, UI or gateway). Waits as long as
 * configured — days if needed — and resumes from stored state. On expiry, `on_timeout` decides.
 */
export const ZHumanConfirmationConfig = z.looseObject({
  prompt: z.string().default('Please confirm to proceed.'),
  timeout_seconds: z.number().int().min(1).default(86_400),
  on_timeout: z.enum(['cancel', 'confirm', 'fail']).default('cancel'),
});

export const humanConfirmation = defineNode({
  type: 'human_confirmation',
  displayName: 'Human Confirmation',
  description: 'Waits for a person to approve or deny.',
  category: 'flow',
  inputs: [{ name: 'prompt', data_type: 'string' }],
  outputs: [
    { name: 'confirmed', data_type: 'boolean' },
    { name: 'user_response', data_type: 'string' },
  ],
  config: ZHumanConfirmationConfig,
  flags: { executable: true },
  palette: { label: 'Human Confirmation', color: CATEGORY_COLORS.flow, icon: 'user-check' },
  async run(ctx) {
    const answer = ctx.resumeInput ?? '';
    const confirmed = isApproval(answer);
    return { outputs: { confirmed, user_response: answer }, route: confirmed ? 'confirmed' : 'cancelled' };
  },
});
