/**
 * Retention: audit events older than AUDIT_RETENTION_DAYS are deleted, together with stale login/MFA
 * counters and expired MFA challenges. Runs at start and then hourly in every server process.
 */
import type { Kysely } from 'kysely';
import { pruneMfaChallenges } from '../auth/mfa/challenges.js';
import { pruneThrottles } from '../auth/throttle.js';
import type { Database } from '../db/schema.js';
import type { Services } from '../services.js';

const DAY_MS = 86_400_000;
const PRUNE_INTERVAL_MS = 3_600_000;

/** Deletes audit events older than `retentionDays`; returns how many went. */
export async function pruneAuditEvents(
  db: Kysely<Database>,
  retentionDays: number,
  now = Date.now(),
): Promise<number> {
  const cutoff = new Date(now - retentionDays * DAY_MS).toISOString();
  const result = await db.deleteFrom('audit_events').where('created_at', '<', cutoff).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Starts the periodic pruning; the returned function stops it. */
export function startSecurityPruning(services: Services): () => Promise<void> {
  const { db } = services.database;
  const run = async () => {
    try {
      await pruneAuditEvents(db, services.settings.auditRetentionDays);
      await pruneThrottles(db, DAY_MS);
      await pruneMfaChallenges(db);
    } catch (err) {
      services.log.warn({ err }, 'security pruning failed');
    }
  };
  void run();
  const timer = setInterval(run, PRUNE_INTERVAL_MS);
  timer.unref();
  return async () => clearInterval(timer);
}
