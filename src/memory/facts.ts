/**
 * Semantic memory (spec §11.2), per owner and end user. Lookups: the most specific scope wins
 * (session → user → agent → global); each hit counts an access. Writes confirm an existing fact
 * (`times_confirmed += 1`) or insert. Search matches keys and values with spaces, underscores and
 * hyphens treated alike, case-insensitively.
 */
import { randomUUID } from 'node:crypto';
import { type ExpressionBuilder, type Selectable, sql } from 'kysely';
import type { Database } from '../db/schema.js';
import type { FactScope, MemoryFactsTable } from '../db/tables/memory.js';
import { fromJson, nowIso, toJson } from '../db/values.js';
import type { MemoryScope } from './memory-scope.js';

export type FactRow = Selectable<MemoryFactsTable>;

const endUserOf = (s: MemoryScope) => s.endUser?.canonicalId ?? '';

/** Rows visible to this scope: the owner's global and agent facts, and the end user's own. */
function visible(s: MemoryScope, scopes: FactScope[] = ['session', 'user', 'agent', 'global']) {
  return (eb: ExpressionBuilder<Database, 'memory_facts'>) => {
    const user = endUserOf(s);
    const ors = [];
    if (scopes.includes('global')) ors.push(eb('scope', '=', 'global'));
    if (scopes.includes('agent'))
      ors.push(eb.and([eb('scope', '=', 'agent'), eb('agent_id', '=', s.agentId)]));
    if (user && scopes.includes('user'))
      ors.push(eb.and([eb('scope', '=', 'user'), eb('end_user_id', '=', user)]));
    if (user && scopes.includes('session')) {
      ors.push(
        eb.and([
          eb('scope', '=', 'session'),
          eb('end_user_id', '=', user),
          eb('session_id', '=', s.sessionId),
        ]),
      );
    }
    return eb.and([eb('owner_id', '=', s.ownerId), eb.or(ors)]);
  };
}

const SPECIFICITY: Record<FactScope, number> = { session: 0, user: 1, agent: 2, global: 3 };

async function touch(s: MemoryScope, rows: FactRow[]) {
  if (!rows.length) return;
  await s.db
    .updateTable('memory_facts')
    .set({ access_count: sql`access_count + 1`, last_accessed: nowIso() })
    .where(
      'id',
      'in',
      rows.map((r) => r.id),
    )
    .execute();
}

/** Exact key lookup; the most specific scope wins. */
export async function getFact(s: MemoryScope, key: string): Promise<FactRow | null> {
  const rows = await s.db
    .selectFrom('memory_facts')
    .selectAll()
    .where('key', '=', key)
    .where(visible(s))
    .execute();
  rows.sort((a, b) => SPECIFICITY[a.scope] - SPECIFICITY[b.scope]);
  const hit = rows[0] ?? null;
  if (hit) await touch(s, [hit]);
  return hit;
}

export interface SetFactInput {
  key: string;
  value: unknown;
  factType: string;
  scope: FactScope;
  overwrite?: boolean;
  sourceEpisodeId?: string | null;
}

/**
 * Stores a fact. A `user`/`session` fact needs an end user; without one it falls back to the
 * agent scope (so nothing is written as if it were about somebody).
 */
export async function setFact(
  s: MemoryScope,
  input: SetFactInput,
): Promise<{ action: 'created' | 'updated' | 'skipped'; fact: FactRow }> {
  const user = endUserOf(s);
  const scope: FactScope =
    (input.scope === 'user' || input.scope === 'session') && !user ? 'agent' : input.scope;
  const ids = {
    owner_id: s.ownerId,
    scope,
    end_user_id: scope === 'user' || scope === 'session' ? user : '',
    agent_id: scope === 'global' ? '' : s.agentId,
    session_id: scope === 'session' ? s.sessionId : '',
  };
  const existing = await s.db
    .selectFrom('memory_facts')
    .selectAll()
    .where('key', '=', input.key)
    .where('owner_id', '=', ids.owner_id)
    .where('scope', '=', ids.scope)
    .where('end_user_id', '=', ids.end_user_id)
    .where('agent_id', '=', ids.agent_id)
    .where('session_id', '=', ids.session_id)
    .executeTakeFirst();
  const now = nowIso();
  if (existing) {
    if (input.overwrite === false) return { action: 'skipped', fact: existing };
    const fact = await s.db
      .updateTable('memory_facts')
      .set({
        value: toJson(input.value),
        fact_type: input.factType,
        times_confirmed: sql`times_confirmed + 1`,
        updated_at: now,
      })
      .where('id', '=', existing.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return { action: 'updated', fact };
  }
  const fact = await s.db
    .insertInto('memory_facts')
    .values({
      id: randomUUID(),
      ...ids,
      key: input.key,
      value: toJson(input.value),
      fact_type: input.factType,
      confidence: 1,
      times_confirmed: 1,
      times_contradicted: 0,
      source_episode_id: input.sourceEpisodeId ?? null,
      source_description: null,
      access_count: 0,
      last_accessed: null,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { action: 'created', fact };
}

/** `%`-joined tokens with LIKE wildcards escaped by `!`: "favourite color" matches `favourite_color`. */
export function likePattern(query: string): string {
  const tokens = query
    .toLowerCase()
    .split(/[\s_-]+/)
    .filter(Boolean)
    .map((t) => t.replace(/[!%_]/g, (c) => `!${c}`));
  return `%${tokens.join('%')}%`;
}

/** Facts whose key or value matches the query, most confident first (global + agent + this user). */
export async function searchFacts(
  s: MemoryScope,
  query: string,
  opts: { limit?: number; minConfidence?: number; factTypes?: string[] } = {},
): Promise<FactRow[]> {
  const pattern = likePattern(query);
  let q = s.db
    .selectFrom('memory_facts')
    .selectAll()
    .where(visible(s, ['user', 'agent', 'global', 'session']))
    .where('confidence', '>=', opts.minConfidence ?? 0.5)
    .where((eb) =>
      eb.or([
        eb(sql`lower(${sql.ref('key')})`, 'like', sql<string>`${pattern} escape '!'`),
        eb(sql`lower(${sql.ref('value')})`, 'like', sql<string>`${pattern} escape '!'`),
      ]),
    );
  if (opts.factTypes?.length) q = q.where('fact_type', 'in', opts.factTypes);
  const rows = await q
    .orderBy('confidence', 'desc')
    .orderBy('updated_at', 'desc')
    .limit(opts.limit ?? 10)
    .execute();
  await touch(s, rows);
  return rows;
}

/** Everything this scope may see, newest first. */
export async function listFacts(s: MemoryScope, limit = 10): Promise<FactRow[]> {
  return s.db
    .selectFrom('memory_facts')
    .selectAll()
    .where(visible(s))
    .orderBy('updated_at', 'desc')
    .limit(limit)
    .execute();
}

/** The end user's own facts, most used first (user context, ≤ 20). */
export async function userFacts(s: MemoryScope, limit = 20): Promise<FactRow[]> {
  const user = endUserOf(s);
  if (!user) return [];
  return s.db
    .selectFrom('memory_facts')
    .selectAll()
    .where('owner_id', '=', s.ownerId)
    .where('end_user_id', '=', user)
    .orderBy('access_count', 'desc')
    .orderBy('updated_at', 'desc')
    .limit(limit)
    .execute();
}

export const factValue = (row: FactRow): unknown => fromJson<unknown>(row.value, row.value);

/** A value as the model reads it: strings bare, anything else as JSON. */
export function valueText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
