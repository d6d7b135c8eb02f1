/**
 * Known end users (spec §11.1 memory_users), one row per owner and canonical id, and the context
 * `identify_user` hands to the workflow: the user's facts (≤ 20, most used first) and recent
 * episodes (≤ 5).
 */
import { randomUUID } from 'node:crypto';
import { type Selectable, sql } from 'kysely';
import type { MemoryUsersTable } from '../db/tables/memory.js';
import { fromJson, nowIso } from '../db/values.js';
import { recentEpisodes } from './episodes.js';
import { factValue, userFacts } from './facts.js';
import type { MemoryScope } from './memory-scope.js';

export type MemoryUserRow = Selectable<MemoryUsersTable>;

/** Finds or creates the end user of this scope and counts one more conversation. */
export async function getOrCreateUser(
  s: MemoryScope,
): Promise<{ user: MemoryUserRow; isNew: boolean } | null> {
  const eu = s.endUser;
  if (!eu) return null;
  const now = nowIso();
  const find = () =>
    s.db
      .selectFrom('memory_users')
      .selectAll()
      .where('owner_id', '=', s.ownerId)
      .where('canonical_id', '=', eu.canonicalId)
      .executeTakeFirst();
  let isNew = false;
  if (!(await find())) {
    try {
      await s.db
        .insertInto('memory_users')
        .values({
          id: randomUUID(),
          owner_id: s.ownerId,
          canonical_id: eu.canonicalId,
          channel: eu.channel,
          display_name: eu.displayName,
          telegram_id: eu.telegramId,
          telegram_username: eu.telegramUsername,
          email: eu.email,
          merged_into_id: null,
          preferences_cache: '{}',
          total_conversations: 0,
          last_conversation_at: null,
          first_seen_at: now,
          last_seen_at: now,
          created_at: now,
          updated_at: now,
        })
        .execute();
      isNew = true;
    } catch (err) {
      if (!/unique|duplicate/i.test(String((err as Error).message))) throw err;
    }
  }
  await s.db
    .updateTable('memory_users')
    .set({
      total_conversations: sql`total_conversations + 1`,
      last_conversation_at: now,
      last_seen_at: now,
      updated_at: now,
      ...(eu.displayName ? { display_name: eu.displayName } : {}),
    })
    .where('owner_id', '=', s.ownerId)
    .where('canonical_id', '=', eu.canonicalId)
    .execute();
  const user = await find();
  return user ? { user, isNew } : null;
}

export interface UserContext {
  user_id: string;
  canonical_id: string;
  is_new: boolean;
  display_name: string | null;
  channel: string;
  preferences: Record<string, unknown>;
  facts: Array<{ key: string; value: unknown; type: string }>;
  history: Array<{ summary: string; success: boolean | null; when: string }>;
  total_conversations: number;
  first_seen: string | null;
}

export async function getUserContext(
  s: MemoryScope,
  user: MemoryUserRow,
  isNew: boolean,
): Promise<UserContext> {
  const facts = await userFacts(s, 20);
  const history = await recentEpisodes(s, { limit: 5 });
  return {
    user_id: user.canonical_id,
    canonical_id: user.canonical_id,
    is_new: isNew,
    display_name: user.display_name,
    channel: user.channel,
    preferences: fromJson(user.preferences_cache, {}),
    facts: facts.map((f) => ({ key: f.key, value: factValue(f), type: f.fact_type })),
    history: history.map((e) => ({
      summary: e.summary,
      success: e.success === null ? null : Boolean(e.success),
      when: e.started_at,
    })),
    total_conversations: user.total_conversations,
    first_seen: user.first_seen_at,
  };
}
