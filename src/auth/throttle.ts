/**
 * Database-backed attempt counters and lockouts, shared by every process (embedded or distributed).
 * All functions take `now` (ms) so tests control time instead of sleeping.
 */
import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/schema.js';

export interface ThrottleState {
  count: number;
  windowStartedAt: number;
  lockedUntil: number | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The current counter, or null when there is none. */
export async function readThrottle(
  db: Kysely<Database>,
  scope: string,
  subject: string,
): Promise<ThrottleState | null> {
  const row = await db
    .selectFrom('auth_throttles')
    .select(['count', 'window_started_at', 'locked_until'])
    .where('scope', '=', scope)
    .where('subject', '=', subject)
    .executeTakeFirst();
  if (!row) return null;
  return {
    count: Number(row.count),
    windowStartedAt: Date.parse(row.window_started_at),
    lockedUntil: row.locked_until ? Date.parse(row.locked_until) : null,
  };
}

/** Milliseconds left on a lock, 0 when not locked. */
export async function lockRemainingMs(
  db: Kysely<Database>,
  scope: string,
  subject: string,
  now: number,
): Promise<number> {
  const state = await readThrottle(db, scope, subject);
  return state?.lockedUntil && state.lockedUntil > now ? state.lockedUntil - now : 0;
}

/**
 * Counts one event and returns the new count. `fixed`: the window starts at the first event and the
 * count restarts after `windowMs`. `idle`: the count restarts when the previous event is older than
 * `windowMs` (consecutive failures). Atomic (one upsert), so concurrent processes do not lose counts.
 */
export async function bumpThrottle(
  db: Kysely<Database>,
  scope: string,
  subject: string,
  opts: { windowMs: number; mode: 'fixed' | 'idle'; now: number },
): Promise<number> {
  const now = iso(opts.now);
  const cutoff = iso(opts.now - opts.windowMs);
  const ref =
    opts.mode === 'fixed'
      ? sql.ref('auth_throttles.window_started_at')
      : sql.ref('auth_throttles.updated_at');
  const row = await db
    .insertInto('auth_throttles')
    .values({ scope, subject, count: 1, window_started_at: now, updated_at: now, locked_until: null })
    .onConflict((oc) =>
      oc.columns(['scope', 'subject']).doUpdateSet({
        count: sql<number>`case when ${ref} <= ${cutoff} then 1 else auth_throttles.count + 1 end`,
        window_started_at: sql<string>`case when ${ref} <= ${cutoff} then ${now} else auth_throttles.window_started_at end`,
        updated_at: now,
      }),
    )
    .returning('count')
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Locks `(scope, subject)` until `until` and restarts its count. */
export async function lockThrottle(
  db: Kysely<Database>,
  scope: string,
  subject: string,
  until: number,
): Promise<void> {
  await db
    .updateTable('auth_throttles')
    .set({ locked_until: iso(until), count: 0 })
    .where('scope', '=', scope)
    .where('subject', '=', subject)
    .execute();
}

/** Forgets a counter (e.g. consecutive failures after a success). */
export async function clearThrottle(db: Kysely<Database>, scope: string, subject: string): Promise<void> {
  await db.deleteFrom('auth_throttles').where('scope', '=', scope).where('subject', '=', subject).execute();
}

/** Deletes counters idle for longer than `olderThanMs` whose lock (if any) has ended. */
export async function pruneThrottles(db: Kysely<Database>, olderThanMs: number, now = Date.now()) {
  const cutoff = iso(now - olderThanMs);
  await db
    .deleteFrom('auth_throttles')
    .where('updated_at', '<', cutoff)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', iso(now))]))
    .execute();
}
