/**
 * Execution pruning: finished executions beyond the retention policy (by age and/or count, separately
 * for successful and for failed + cancelled runs) are deleted in small batches — one short transaction
 * per batch with a pause between, so writers are never blocked for long. Node rows and pending tasks
 * go with their execution (ON DELETE CASCADE). Never touches pending, running or interrupted
 * executions, nor a finished child whose parent is still active (the parent reads its result).
 *
 * Space: on SQLite the freed pages are returned to the file system with `PRAGMA incremental_vacuum`
 * (in steps) and the WAL is truncated; on PostgreSQL autovacuum makes the space reusable (see
 * docs/operations.md).
 */
import { statSync } from 'node:fs';
import { type Expression, type ExpressionBuilder, type Kysely, type SqlBool, sql } from 'kysely';
import { type Db, openSqlite } from '../db/database.js';
import type { Database } from '../db/schema.js';
import type { ExecutionStatus } from '../db/tables/executions.js';
import type { RetentionPolicy } from './retention-settings.js';

const DAY_MS = 86_400_000;
const ACTIVE: ExecutionStatus[] = ['pending', 'running', 'interrupted'];
const GROUPS: Array<{
  statuses: ExecutionStatus[];
  days: keyof RetentionPolicy;
  count: keyof RetentionPolicy;
}> = [
  { statuses: ['completed'], days: 'daysSuccess', count: 'maxCountSuccess' },
  { statuses: ['failed', 'cancelled'], days: 'daysFailed', count: 'maxCountFailed' },
];
/** Pages returned to the file system per incremental_vacuum step (4 KiB pages: 8 MiB). */
const VACUUM_STEP_PAGES = 2000;

export interface PruneOptions {
  batchSize: number;
  /** Pause between batches, so other writers get the database (default 25 ms). */
  pauseMs?: number;
  /** Count what would go, delete nothing. */
  dryRun?: boolean;
  now?: number;
  /** Called between batches; returning false stops early (runtime stopping, lease lost). */
  keepGoing?: () => boolean | Promise<boolean>;
}

export interface PruneReport {
  removed: Record<'completed' | 'failed' | 'cancelled', number>;
  total: number;
  batches: number;
  dryRun: boolean;
  /** Bytes on disk before and after (SQLite: file + WAL; PostgreSQL: execution tables with indexes). */
  bytesBefore: number;
  bytesAfter: number;
}

type Eb = ExpressionBuilder<Database, 'executions'>;

interface Boundary {
  created_at: string;
  execution_id: string;
}

/** Where-clause selecting the executions of one status group that the policy no longer keeps. */
function beyondPolicy(eb: Eb, statuses: ExecutionStatus[], cutoff: string | null, boundary: Boundary | null) {
  const reasons: Expression<SqlBool>[] = [];
  if (cutoff) reasons.push(eb('executions.created_at', '<', cutoff));
  if (boundary) {
    reasons.push(
      eb.or([
        eb('executions.created_at', '<', boundary.created_at),
        eb.and([
          eb('executions.created_at', '=', boundary.created_at),
          eb('executions.execution_id', '<=', boundary.execution_id),
        ]),
      ]),
    );
  }
  return eb.and([
    eb('executions.status', 'in', statuses),
    eb.or(reasons),
    eb.not(
      eb.exists(
        eb
          .selectFrom('executions as parent')
          .select('parent.execution_id')
          .whereRef('parent.execution_id', '=', 'executions.parent_execution_id')
          .where('parent.status', 'in', ACTIVE),
      ),
    ),
  ]);
}

/** The newest execution beyond the count limit (position `maxCount`, newest first), if any. */
async function countBoundary(
  db: Kysely<Database>,
  statuses: ExecutionStatus[],
  maxCount: number,
): Promise<Boundary | null> {
  if (maxCount <= 0) return null;
  const row = await db
    .selectFrom('executions')
    .select(['created_at', 'execution_id'])
    .where('status', 'in', statuses)
    .orderBy('created_at', 'desc')
    .orderBy('execution_id', 'desc')
    .limit(1)
    .offset(maxCount)
    .executeTakeFirst();
  return row ?? null;
}

/** Bytes the execution history takes on disk now. */
export async function storageBytes(database: Db): Promise<number> {
  if (database.dialect === 'sqlite') {
    const path = database.sqlitePath;
    if (!path || path === ':memory:') return 0;
    let total = 0;
    for (const file of [path, `${path}-wal`]) {
      try {
        total += statSync(file).size;
      } catch {
        // No WAL file right after a checkpoint(TRUNCATE) on some systems.
      }
    }
    return total;
  }
  const { rows } = await sql<{ bytes: number | string }>`
    select coalesce(sum(pg_total_relation_size(c.oid)), 0) as bytes
    from pg_class c
    where c.relname in ('executions', 'execution_nodes', 'pending_tasks') and c.relkind = 'r'
      and pg_table_is_visible(c.oid)`.execute(database.db);
  return Number(rows[0]?.bytes ?? 0);
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Deletes (or, with dryRun, counts) the executions the policy no longer keeps. */
export async function pruneExecutions(
  database: Db,
  policy: RetentionPolicy,
  opts: PruneOptions,
): Promise<PruneReport> {
  const { db } = database;
  const now = opts.now ?? Date.now();
  const report: PruneReport = {
    removed: { completed: 0, failed: 0, cancelled: 0 },
    total: 0,
    batches: 0,
    dryRun: Boolean(opts.dryRun),
    bytesBefore: await storageBytes(database),
    bytesAfter: 0,
  };
  const batchSize = Math.max(1, opts.batchSize);
  for (const group of GROUPS) {
    const days = policy[group.days];
    const cutoff = days > 0 ? new Date(now - days * DAY_MS).toISOString() : null;
    const boundary = await countBoundary(db, group.statuses, policy[group.count]);
    if (!cutoff && !boundary) continue;
    const where = (eb: Eb) => beyondPolicy(eb, group.statuses, cutoff, boundary);

    if (opts.dryRun) {
      const counts = await db
        .selectFrom('executions')
        .select(['status', (eb) => eb.fn.countAll().as('n')])
        .where(where)
        .groupBy('status')
        .execute();
      for (const c of counts) {
        report.removed[c.status as keyof PruneReport['removed']] += Number(c.n);
        report.total += Number(c.n);
      }
      continue;
    }

    for (;;) {
      const batch = await db
        .selectFrom('executions')
        .select(['execution_id', 'status'])
        .where(where)
        .orderBy('created_at')
        .limit(batchSize)
        .execute();
      if (batch.length === 0) break;
      const ids = batch.map((r) => r.execution_id);
      const deleted = await db.transaction().execute(async (trx) => {
        const gone = await trx
          .deleteFrom('executions')
          .where('execution_id', 'in', ids)
          // Re-checked inside the transaction: a re-run or late status change must not be lost.
          .where('status', 'in', group.statuses)
          .returning(['status'])
          .execute();
        return gone;
      });
      for (const r of deleted) report.removed[r.status as keyof PruneReport['removed']] += 1;
      report.total += deleted.length;
      report.batches += 1;
      if (batch.length < batchSize) break;
      if (opts.keepGoing && !(await opts.keepGoing())) break;
      await pause(opts.pauseMs ?? 25);
    }
  }
  if (!opts.dryRun && report.total > 0) await reclaimSpace(database, opts.keepGoing);
  report.bytesAfter = await storageBytes(database);
  return report;
}

/**
 * Copies the WAL back and truncates it to zero bytes. SQLite answers `busy` instead of waiting while
 * another checkpoint runs (the background checkpointer, wal-checkpointer.ts) or a reader still needs
 * the log, and the deletes left a WAL as large as what they removed: try again for a few seconds.
 */
async function truncateWal(raw: ReturnType<typeof openSqlite>): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const [result] = raw.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>;
    if (!result?.busy) return;
    await pause(50);
  }
}

/**
 * SQLite: gives freed pages back to the file system (the file shrinks) in steps, then truncates the
 * WAL. PostgreSQL: nothing here — autovacuum follows batched deletes and keeps the space for reuse.
 *
 * The steps run on a second, short-lived connection with `exec`: a prepared `PRAGMA incremental_vacuum`
 * stepped once (as a query builder runs it) frees a single page only.
 */
export async function reclaimSpace(
  database: Db,
  keepGoing?: () => boolean | Promise<boolean>,
): Promise<void> {
  if (database.dialect !== 'sqlite') return;
  const path = database.sqlitePath;
  if (!path || path === ':memory:') return;
  const raw = openSqlite(path);
  try {
    let previous = Number.POSITIVE_INFINITY;
    for (;;) {
      const free = Number(raw.pragma('freelist_count', { simple: true }) ?? 0);
      // Stops when done, or when nothing moves (a file created without auto_vacuum = INCREMENTAL).
      if (free === 0 || free >= previous) break;
      previous = free;
      raw.exec(`PRAGMA incremental_vacuum(${VACUUM_STEP_PAGES})`);
      if (keepGoing && !(await keepGoing())) break;
      await pause(5);
    }
    await truncateWal(raw);
  } finally {
    raw.close();
  }
}
