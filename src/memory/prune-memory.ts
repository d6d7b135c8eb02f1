/**
 * Memory retention (`MEMORY_RETENTION_DAYS`, 0 = keep): episodes that started, facts neither
 * updated nor read, and end users not seen for longer than that are deleted. An hourly unref'd
 * timer in every process; the deletes are idempotent, so several processes pruning is harmless.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Services } from '../services.js';

export async function pruneMemory(db: Kysely<Database>, days: number, now = Date.now()) {
  if (days <= 0) return { episodes: 0, facts: 0, users: 0 };
  const cutoff = new Date(now - days * 86_400_000).toISOString();
  const count = (r: { numDeletedRows: bigint }) => Number(r.numDeletedRows);
  const episodes = count(
    await db.deleteFrom('memory_episodes').where('started_at', '<', cutoff).executeTakeFirst(),
  );
  const facts = count(
    await db
      .deleteFrom('memory_facts')
      .where('updated_at', '<', cutoff)
      .where((eb) => eb.or([eb('last_accessed', 'is', null), eb('last_accessed', '<', cutoff)]))
      .executeTakeFirst(),
  );
  const users = count(
    await db.deleteFrom('memory_users').where('last_seen_at', '<', cutoff).executeTakeFirst(),
  );
  return { episodes, facts, users };
}

export function startMemoryPruning(services: Services): () => Promise<void> {
  const days = services.settings.memoryRetentionDays;
  if (!days) return async () => {};
  const tick = () =>
    void pruneMemory(services.database.db, days)
      .then((r) => {
        if (r.episodes || r.facts || r.users) services.log.info(r, 'memory pruned');
      })
      .catch((err) => services.log.warn({ err }, 'memory pruning failed'));
  const first = setTimeout(tick, 10_000 + Math.floor(Math.random() * 10_000));
  const timer = setInterval(tick, 3_600_000);
  first.unref();
  timer.unref();
  return async () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}
