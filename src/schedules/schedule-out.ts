/** Row → API mapping for schedules (`ScheduledJobOut`, and `schedule_job` inside `NodeOut`). */
import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../db/schema.js';
import type { ScheduledJobsTable } from '../db/tables/schedules.js';
import { fromJson, toInt } from '../db/values.js';

export type ScheduleRow = Selectable<ScheduledJobsTable>;

export function scheduleOut(row: ScheduleRow) {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    workflow_id: toInt(row.workflow_id),
    trigger_node_id: row.trigger_node_id,
    user_profile_id: row.user_profile_id === null ? null : toInt(row.user_profile_id),
    interval_seconds: toInt(row.interval_seconds),
    cron: row.cron,
    timezone: row.timezone,
    total_repeats: toInt(row.total_repeats),
    max_retries: toInt(row.max_retries),
    timeout_seconds: toInt(row.timeout_seconds),
    trigger_payload: fromJson<Record<string, unknown> | null>(row.trigger_payload, null),
    status: row.status,
    current_repeat: toInt(row.current_repeat),
    current_retry: toInt(row.current_retry),
    last_run_at: row.last_run_at,
    next_run_at: row.next_run_at,
    run_count: toInt(row.run_count),
    error_count: toInt(row.error_count),
    last_error: row.last_error,
    last_execution_id: row.pending_execution_id,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/** The short form inside `NodeOut.schedule_job` (spec §4.6). */
export function nodeScheduleOut(row: ScheduleRow): Record<string, unknown> {
  const o = scheduleOut(row);
  return {
    id: o.id,
    status: o.status,
    run_count: o.run_count,
    error_count: o.error_count,
    current_repeat: o.current_repeat,
    current_retry: o.current_retry,
    total_repeats: o.total_repeats,
    max_retries: o.max_retries,
    timeout_seconds: o.timeout_seconds,
    interval_seconds: o.interval_seconds,
    cron: o.cron,
    timezone: o.timezone,
    last_run_at: o.last_run_at,
    next_run_at: o.next_run_at,
    last_error: o.last_error,
    created_at: o.created_at,
  };
}

/** The schedule a `trigger_schedule` node controls (the newest one for that node), if any. */
export async function findNodeSchedule(
  db: Kysely<Database>,
  workflowId: number,
  nodeId: string,
): Promise<ScheduleRow | undefined> {
  return db
    .selectFrom('scheduled_jobs')
    .selectAll()
    .where('workflow_id', '=', workflowId)
    .where('trigger_node_id', '=', nodeId)
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
}

/** `schedule_job` for NodeOut, or null. */
export async function scheduleJobForNode(
  db: Kysely<Database>,
  workflowId: number,
  nodeId: string,
): Promise<Record<string, unknown> | null> {
  const row = await findNodeSchedule(db, workflowId, nodeId);
  return row ? nodeScheduleOut(row) : null;
}
