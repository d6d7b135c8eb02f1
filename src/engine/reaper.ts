/**
 * The reaper runs periodically in every process that runs executions (not only at start-up):
 * - an execution whose worker stopped heartbeating for ZOMBIE_EXECUTION_THRESHOLD_SECONDS is re-queued
 *   once (finished nodes are not run again), then failed with "worker lost";
 * - suspended executions whose wake time passed, and pending ones nobody picked up, are queued again;
 * - expired confirmations get their configured outcome.
 * A healthy long-running execution keeps heartbeating, so it is never touched.
 */
import { nowIso } from '../db/values.js';
import { publishExecutionEvent } from '../realtime/events.js';
import type { Services } from '../services.js';
import { cancelExecution } from './cancel-execution.js';
import { finishExecution } from './execution-store.js';
import { answerPendingTask } from './pending-tasks.js';

/** A lost worker's execution is re-queued this many times before it is failed. */
export const MAX_RECOVERIES = 1;

export interface ReapReport {
  requeued: string[];
  failed: string[];
  woken: string[];
  expired: string[];
}

/**
 * Re-arms the timers of suspended executions (their delayed jobs lived in a process that may be gone).
 * Run once when a process starts consuming the queue.
 */
export async function rearmSuspended(deps: Services): Promise<number> {
  const rows = await deps.database.db
    .selectFrom('executions')
    .select(['execution_id', 'wake_at'])
    .where('status', '=', 'running')
    .where('lease_owner', 'is', null)
    .where('wake_at', 'is not', null)
    .execute();
  for (const row of rows) {
    const delayMs = Math.max(0, Date.parse(row.wake_at!) - Date.now());
    await deps.queue.enqueue({ executionId: row.execution_id }, { delayMs });
  }
  return rows.length;
}

export async function reapOnce(deps: Services): Promise<ReapReport> {
  const db = deps.database.db;
  const report: ReapReport = { requeued: [], failed: [], woken: [], expired: [] };
  const thresholdMs = deps.settings.zombieThresholdSeconds * 1000;
  const staleBefore = new Date(Date.now() - thresholdMs).toISOString();
  const now = nowIso();

  const lost = await db
    .selectFrom('executions')
    .innerJoin('workflows', 'workflows.id', 'executions.workflow_id')
    .select(['executions.execution_id', 'executions.recoveries', 'executions.heartbeat_at', 'workflows.slug'])
    .where('executions.status', '=', 'running')
    .where('executions.lease_owner', 'is not', null)
    .where('executions.heartbeat_at', '<', staleBefore)
    .limit(500)
    .execute();
  for (const row of lost) {
    if (row.recoveries < MAX_RECOVERIES) {
      const res = await db
        .updateTable('executions')
        .set({ lease_owner: null, recoveries: row.recoveries + 1 })
        .where('execution_id', '=', row.execution_id)
        .where('heartbeat_at', '=', row.heartbeat_at)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) > 0) {
        report.requeued.push(row.execution_id);
        await deps.queue.enqueue({ executionId: row.execution_id });
      }
      continue;
    }
    const seconds = deps.settings.zombieThresholdSeconds;
    const message = `Execution failed: worker lost (no heartbeat for ${seconds}s).`;
    if (
      await finishExecution(db, row.execution_id, {
        status: 'failed',
        errorMessage: message,
        errorCode: 'worker_lost',
      })
    ) {
      report.failed.push(row.execution_id);
      await publishExecutionEvent(
        deps.bus,
        { executionId: row.execution_id, workflowSlug: row.slug },
        'execution_failed',
        {
          error: message,
          error_code: 'worker_lost',
        },
      );
    }
  }

  // Runnable but not running anywhere: due timers, answered confirmations, jobs lost with a process.
  const idleBefore = new Date(Date.now() - 10_000).toISOString();
  const idle = await db
    .selectFrom('executions')
    .select('execution_id')
    .where((eb) =>
      eb.or([
        eb.and([
          eb('status', '=', 'running'),
          eb('lease_owner', 'is', null),
          eb.or([eb('wake_at', 'is', null), eb('wake_at', '<=', now)]),
        ]),
        eb.and([eb('status', '=', 'pending'), eb('created_at', '<', idleBefore)]),
      ]),
    )
    .limit(500)
    .execute();
  for (const row of idle) {
    report.woken.push(row.execution_id);
    await deps.queue.enqueue({ executionId: row.execution_id });
  }

  const expired = await db
    .selectFrom('pending_tasks')
    .selectAll()
    .where('expires_at', '<', now)
    .limit(200)
    .execute();
  for (const task of expired) {
    report.expired.push(task.task_id);
    if (task.on_timeout === 'confirm') {
      const id = await answerPendingTask(db, task.task_id, 'confirm');
      if (id) await deps.queue.enqueue({ executionId: id });
    } else if (task.on_timeout === 'fail') {
      await db.deleteFrom('pending_tasks').where('task_id', '=', task.task_id).execute();
      await finishExecution(db, task.execution_id, {
        status: 'failed',
        errorMessage: `Confirmation at node '${task.node_id}' expired.`,
        errorCode: 'confirmation_expired',
      });
    } else {
      await cancelExecution(deps, task.execution_id, `Confirmation at node '${task.node_id}' expired.`);
    }
  }
  return report;
}

/** Runs `reapOnce` now and then every `intervalMs`; returns a stop function. */
export function startReaper(deps: Services, intervalMs?: number): () => void {
  const every =
    intervalMs ?? Math.max(1000, Math.min(30_000, (deps.settings.zombieThresholdSeconds * 1000) / 2));
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const report = await reapOnce(deps);
      if (report.requeued.length || report.failed.length)
        deps.log.warn(report, 'reaper recovered executions');
    } catch (err) {
      deps.log.error({ err }, 'reaper failed');
    } finally {
      running = false;
    }
  };
  void rearmSuspended(deps)
    .catch((err) => deps.log.error({ err }, 'could not re-arm suspended executions'))
    .then(() => tick());
  const timer = setInterval(() => void tick(), every);
  timer.unref();
  return () => clearInterval(timer);
}
