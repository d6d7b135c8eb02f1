/**
 * The scheduler: fires due schedules and records each tick's outcome. It polls the database (every
 * second by default), so it needs no queue feature and behaves the same in embedded and distributed
 * mode.
 *
 * - Exactly once: a tick is claimed with a compare-and-set on `next_run_at` (and no tick in flight),
 *   so however many processes run a scheduler, only one of them starts the execution.
 * - Outcome, not dispatch (fix for spec §16.37): the tick stores its execution id; when that
 *   execution ends, `completed` counts as a run, `failed`/`cancelled` (or running past
 *   `timeout_seconds`, which cancels it) as a failure with retries after
 *   `min(interval·2^(retry−1), 10·interval)`, then `dead` after `max_retries`.
 * - Overlap: a tick that comes due while the previous tick's execution still runs is skipped.
 * - Missed ticks (no scheduler was running) collapse into one run at the next poll.
 * Time comes from an injectable clock so tests can move it instead of sleeping.
 */
import { randomUUID } from 'node:crypto';
import { fromJson, toInt } from '../db/values.js';
import { cancelExecution } from '../engine/cancel-execution.js';
import { startExecution } from '../engine/start-execution.js';
import type { Services } from '../services.js';
import type { ScheduleRow } from './schedule-out.js';
import { backoffSeconds, nextRunAfter } from './timing.js';

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface SchedulerOptions {
  clock?: Clock;
  /** How often due schedules are looked for (default 1000 ms). */
  pollMs?: number;
  /** A tick whose execution row never appeared is failed after this long (default 60 s). */
  missingGraceMs?: number;
}

export interface TickReport {
  fired: Array<{ scheduleId: string; executionId: string }>;
  skipped: string[];
  succeeded: string[];
  failed: string[];
}

const MAX_ERROR = 500;

export class Scheduler {
  private readonly clock: Clock;
  private timer?: ReturnType<typeof setInterval>;
  private running = false;

  constructor(
    private readonly deps: Services,
    private readonly opts: SchedulerOptions = {},
  ) {
    this.clock = opts.clock ?? systemClock;
  }

  private iso(ms = this.clock.now()): string {
    return new Date(ms).toISOString();
  }

  /** Polls until stopped. */
  start(): () => Promise<void> {
    const every = this.opts.pollMs ?? 1000;
    const loop = async () => {
      if (this.running) return;
      this.running = true;
      try {
        await this.tick();
      } catch (err) {
        this.deps.log.error({ err }, 'scheduler tick failed');
      } finally {
        this.running = false;
      }
    };
    void this.recover()
      .then((n) => n && this.deps.log.info({ recovered: n }, 'scheduler: past-due schedules will run now'))
      .catch(() => {})
      .then(loop);
    this.timer = setInterval(() => void loop(), every);
    this.timer.unref();
    return async () => {
      clearInterval(this.timer);
      while (this.running) await new Promise((r) => setTimeout(r, 20));
    };
  }

  /**
   * Start-up recovery: active schedules without a next run get one; past-due ones are counted (they
   * run once at the next poll rather than once per missed tick). Returns how many were past due.
   */
  async recover(): Promise<number> {
    const db = this.deps.database.db;
    const now = this.clock.now();
    const rows = await db
      .selectFrom('scheduled_jobs')
      .selectAll()
      .where('status', '=', 'active')
      .where((eb) => eb.or([eb('next_run_at', 'is', null), eb('next_run_at', '<', this.iso(now))]))
      .execute();
    let pastDue = 0;
    for (const row of rows) {
      if (row.next_run_at) {
        pastDue += 1;
        continue;
      }
      if (row.pending_execution_id) continue;
      await db
        .updateTable('scheduled_jobs')
        .set({ next_run_at: nextRunAfter(row, now), updated_at: this.iso(now) })
        .where('id', '=', row.id)
        .where('next_run_at', 'is', null)
        .execute();
    }
    return pastDue;
  }

  /** One pass: record finished ticks, then fire due schedules. */
  async tick(): Promise<TickReport> {
    const report: TickReport = { fired: [], skipped: [], succeeded: [], failed: [] };
    await this.resolveOutcomes(report);
    await this.fireDue(report);
    return report;
  }

  private async fireDue(report: TickReport): Promise<void> {
    const db = this.deps.database.db;
    const now = this.clock.now();
    const due = await db
      .selectFrom('scheduled_jobs')
      .selectAll()
      .where('status', '=', 'active')
      .where('next_run_at', 'is not', null)
      .where('next_run_at', '<=', this.iso(now))
      .orderBy('next_run_at')
      .limit(200)
      .execute();
    for (const row of due) {
      const next = nextRunAfter(row, now);
      if (row.pending_execution_id) {
        // The previous tick's execution still runs: skip this one, same counters.
        const res = await db
          .updateTable('scheduled_jobs')
          .set({ next_run_at: next, updated_at: this.iso(now) })
          .where('id', '=', row.id)
          .where('next_run_at', '=', row.next_run_at)
          .executeTakeFirst();
        if (Number(res.numUpdatedRows) > 0) {
          report.skipped.push(row.id);
          this.deps.log.info({ schedule_id: row.id }, 'scheduler: previous run still going, tick skipped');
        }
        continue;
      }
      const target = await this.resolveTarget(row);
      if ('error' in target) {
        const claimed = await db
          .updateTable('scheduled_jobs')
          .set({ next_run_at: next, last_run_at: this.iso(now), updated_at: this.iso(now) })
          .where('id', '=', row.id)
          .where('next_run_at', '=', row.next_run_at)
          .where('pending_execution_id', 'is', null)
          .executeTakeFirst();
        if (Number(claimed.numUpdatedRows) > 0) {
          await this.applyOutcome({ ...row, next_run_at: next }, null, { ok: false, error: target.error });
          report.failed.push(row.id);
        }
        continue;
      }
      const executionId = randomUUID();
      const claimed = await db
        .updateTable('scheduled_jobs')
        .set({
          next_run_at: next,
          pending_execution_id: executionId,
          last_run_at: this.iso(now),
          updated_at: this.iso(now),
        })
        .where('id', '=', row.id)
        .where('status', '=', 'active')
        .where('next_run_at', '=', row.next_run_at)
        .where('pending_execution_id', 'is', null)
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) === 0) continue; // another scheduler fired it
      try {
        await startExecution(this.deps, {
          executionId,
          workflowId: toInt(row.workflow_id),
          triggerNodeId: target.nodeId,
          userId: target.userId,
          payload: {
            scheduled_job_id: row.id,
            scheduled_job_name: row.name,
            repeat_number: toInt(row.current_repeat),
            timestamp: this.iso(now),
            payload: fromJson<Record<string, unknown>>(row.trigger_payload, {}) ?? {},
          },
        });
        report.fired.push({ scheduleId: row.id, executionId });
      } catch (err) {
        await this.applyOutcome({ ...row, next_run_at: next }, executionId, {
          ok: false,
          error: `Could not start the workflow: ${(err as Error).message}`,
        });
        report.failed.push(row.id);
      }
    }
  }

  private async resolveTarget(
    row: ScheduleRow,
  ): Promise<{ nodeId: string; userId: number } | { error: string }> {
    const db = this.deps.database.db;
    if (row.user_profile_id === null) return { error: `Scheduled job ${row.id} has no user to run as.` };
    let query = db
      .selectFrom('workflow_nodes')
      .select(['node_id', 'component_type'])
      .where('workflow_id', '=', row.workflow_id);
    query = row.trigger_node_id
      ? query.where('node_id', '=', row.trigger_node_id)
      : query.where('component_type', '=', 'trigger_schedule');
    const node = await query.orderBy('id').executeTakeFirst();
    if (!node?.component_type.startsWith('trigger_')) {
      return { error: `No matching trigger found for scheduled job ${row.id}` };
    }
    return { nodeId: node.node_id, userId: toInt(row.user_profile_id) };
  }

  private async resolveOutcomes(report: TickReport): Promise<void> {
    const db = this.deps.database.db;
    const now = this.clock.now();
    const rows = await db
      .selectFrom('scheduled_jobs as s')
      .leftJoin('executions as e', 'e.execution_id', 's.pending_execution_id')
      .selectAll('s')
      .select(['e.status as exec_status', 'e.error_message as exec_error'])
      .where('s.pending_execution_id', 'is not', null)
      .limit(500)
      .execute();
    for (const row of rows) {
      const executionId = row.pending_execution_id!;
      const startedMs = row.last_run_at ? Date.parse(row.last_run_at) : now;
      let outcome: { ok: true } | { ok: false; error: string } | undefined;
      if (row.exec_status === null || row.exec_status === undefined) {
        if (now - startedMs > (this.opts.missingGraceMs ?? 60_000)) {
          outcome = { ok: false, error: 'The scheduled execution was never started.' };
        }
      } else if (row.exec_status === 'completed') {
        outcome = { ok: true };
      } else if (row.exec_status === 'failed' || row.exec_status === 'cancelled') {
        const why = row.exec_error || `Execution ${row.exec_status}.`;
        outcome = { ok: false, error: `Workflow execution ${executionId} ${row.exec_status}: ${why}` };
      } else if (now - startedMs > toInt(row.timeout_seconds) * 1000) {
        const error = `Scheduled run exceeded timeout_seconds (${toInt(row.timeout_seconds)} s).`;
        await cancelExecution(this.deps, executionId, error).catch(() => {});
        outcome = { ok: false, error };
      }
      if (!outcome) continue;
      const applied = await this.applyOutcome(row, executionId, outcome);
      if (applied) (outcome.ok ? report.succeeded : report.failed).push(row.id);
    }
  }

  /**
   * Records a tick's outcome (compare-and-set on the tick's execution id, so it counts once).
   * Success: one more run and repeat, retries reset, `done` after `total_repeats`. Failure: one more
   * error, then a retry after the backoff, or `dead` after `max_retries`.
   */
  private async applyOutcome(
    row: ScheduleRow,
    executionId: string | null,
    outcome: { ok: true } | { ok: false; error: string },
  ): Promise<boolean> {
    const db = this.deps.database.db;
    const now = this.clock.now();
    const active = row.status === 'active';
    let set: Partial<ScheduleRow>;
    if (outcome.ok) {
      const repeat = toInt(row.current_repeat) + 1;
      const total = toInt(row.total_repeats);
      const finished = total > 0 && repeat >= total;
      set = {
        run_count: toInt(row.run_count) + 1,
        current_repeat: repeat,
        current_retry: 0,
        last_error: '',
        ...(finished && active ? { status: 'done' as const, next_run_at: null } : {}),
      };
    } else {
      const retry = toInt(row.current_retry) + 1;
      const error = outcome.error.slice(0, MAX_ERROR);
      if (retry > toInt(row.max_retries)) {
        set = {
          error_count: toInt(row.error_count) + 1,
          last_error: error,
          ...(active ? { status: 'dead' as const, next_run_at: null } : {}),
        };
      } else {
        const delayMs = backoffSeconds(toInt(row.interval_seconds), retry) * 1000;
        set = {
          error_count: toInt(row.error_count) + 1,
          last_error: error,
          current_retry: retry,
          ...(active ? { next_run_at: this.iso(now + delayMs) } : {}),
        };
      }
      this.deps.log.warn({ schedule_id: row.id, error }, 'scheduled run failed');
    }
    let query = db
      .updateTable('scheduled_jobs')
      .set({ ...set, pending_execution_id: null, updated_at: this.iso(now) })
      .where('id', '=', row.id);
    query =
      executionId === null
        ? query.where('pending_execution_id', 'is', null)
        : query.where('pending_execution_id', '=', executionId);
    const res = await query.executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }
}
