/**
 * Periodic execution pruning, started by the runtime in every process (server and worker roles);
 * the `execution-prune` lease makes it run in one process of the cluster at a time, at most once per
 * PRUNE_INTERVAL_SECONDS. Also applies MAX_STORED_PAYLOAD_BYTES to this process.
 */
import { randomUUID } from 'node:crypto';
import type { Services } from '../services.js';
import { acquireDueLease, finishLease, renewLease } from './cluster-lease.js';
import { type PruneReport, pruneExecutions } from './prune-executions.js';
import { resolveRetention } from './retention-settings.js';
import { setMaxStoredPayloadBytes } from './stored-payload.js';

export const PRUNE_LEASE = 'execution-prune';
const LEASE_TTL_MS = 120_000;

/** One pruning pass if this process wins the lease and the pass is due; null otherwise. */
export async function pruneIfDue(
  services: Services,
  owner: string,
  isStopping: () => boolean = () => false,
): Promise<PruneReport | null> {
  const { db } = services.database;
  const cfg = services.settings.retention;
  const intervalMs = cfg.pruneIntervalSeconds * 1000;
  if (!(await acquireDueLease(db, PRUNE_LEASE, owner, LEASE_TTL_MS, intervalMs))) return null;
  try {
    const policy = await resolveRetention(db, cfg);
    return await pruneExecutions(services.database, policy, {
      batchSize: cfg.pruneBatchSize,
      keepGoing: async () => !isStopping() && (await renewLease(db, PRUNE_LEASE, owner, LEASE_TTL_MS)),
    });
  } finally {
    await finishLease(db, PRUNE_LEASE, owner);
  }
}

/** Starts the periodic pruning; the returned function stops it (and waits for a running pass). */
export function startExecutionPruning(services: Services): () => Promise<void> {
  setMaxStoredPayloadBytes(services.settings.retention.maxStoredPayloadBytes);
  const owner = `${process.pid}-${randomUUID().slice(0, 8)}`;
  let stopping = false;
  let running: Promise<void> | null = null;
  const tick = () => {
    if (running || stopping) return;
    running = pruneIfDue(services, owner, () => stopping)
      .then((report) => {
        if (report?.total)
          services.log.info(
            { removed: report.removed, bytes_before: report.bytesBefore, bytes_after: report.bytesAfter },
            'executions pruned',
          );
      })
      .catch((err) => services.log.warn({ err }, 'execution pruning failed'))
      .finally(() => {
        running = null;
      });
  };
  // Checks a few times per interval (one UPDATE each); the lease decides who actually prunes.
  const every = Math.max(5_000, (services.settings.retention.pruneIntervalSeconds * 1000) / 4);
  const first = setTimeout(tick, 5_000 + Math.floor(Math.random() * 5_000));
  first.unref();
  const timer = setInterval(tick, every);
  timer.unref();
  return async () => {
    stopping = true;
    clearTimeout(first);
    clearInterval(timer);
    await running;
  };
}
