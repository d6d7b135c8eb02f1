import { z } from 'zod';
import { ensureEpisode } from '../memory/episodes.js';
import { loadMemoryScope } from '../memory/memory-scope.js';
import { getOrCreateUser, getUserContext } from '../memory/memory-users.js';
import type { Services } from '../services.js';
import { CATEGORY_COLORS, defineNode } from './define-node.js';

/** Finds or creates the memory user behind the trigger payload and loads their context. */
export const ZIdentifyUserConfig = z.looseObject({
  /** Force a channel (`telegram`, `gateway`, `webhook`, `chat`, `manual`); empty = infer from the payload. */
  channel: z.string().default(''),
});

const rec = (v: unknown) =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

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
  flags: { executable: true, agentTool: true },
  palette: { label: 'Identify User', color: CATEGORY_COLORS.memory, icon: 'user-search' },
  /**
   * Recognises chat, manual, webhook, Telegram and gateway payloads (fix of §16.2/25); an upstream
   * `trigger_input`/`channel` output overrides the trigger. Opens the execution's memory episode.
   */
  async run(ctx) {
    let payload: Record<string, unknown> | undefined;
    let channel = ctx.config.channel;
    for (const out of Object.values(ctx.inputs)) {
      payload ??= rec(out.trigger_input);
      if (!channel && typeof out.channel === 'string') channel = out.channel;
    }
    const db = (ctx.deps as Services).database.db;
    const scope = await loadMemoryScope(db, ctx.executionId, { payload, channel: channel || undefined });
    const found = await getOrCreateUser(scope);
    if (!found) {
      const anonymous = `${scope.endUser?.channel ?? (channel || 'unknown')}:anonymous`;
      return {
        outputs: {
          user_id: anonymous,
          user_context: { user_id: anonymous, is_new: true, facts: [], history: [] },
          is_new_user: true,
        },
      };
    }
    await ensureEpisode(scope);
    const context = await getUserContext(scope, found.user, found.isNew);
    return { outputs: { user_id: found.user.canonical_id, user_context: context, is_new_user: found.isNew } };
  },
});
