/**
 * Creating and steering schedules (API, node-level routes, agent tools): create, pause, resume,
 * update (which reschedules when the timing changes), and the node-level start semantics of spec §4.6.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { toInt, toJson } from '../db/values.js';
import { badRequest } from '../errors.js';
import type { ScheduleRow } from './schedule-out.js';
import { type Clock, systemClock } from './scheduler.js';
import { nextRunAfter, type Timing } from './timing.js';

/** Backoff base for cron schedules created without an interval. */
export const DEFAULT_CRON_INTERVAL_SECONDS = 60;

export interface NewSchedule {
  name: string;
  description?: string;
  workflowId: number;
  triggerNodeId?: string | null;
  userId: number;
  intervalSeconds?: number | null;
  cron?: string | null;
  timezone?: string | null;
  totalRepeats?: number;
  maxRetries?: number;
  timeoutSeconds?: number;
  triggerPayload?: Record<string, unknown> | null;
  /** Run the first tick now instead of one interval (or the next cron time) from now. */
  runImmediately?: boolean;
}

const iso = (ms: number) => new Date(ms).toISOString();

export async function createSchedule(
  db: Kysely<Database>,
  input: NewSchedule,
  clock: Clock = systemClock,
): Promise<ScheduleRow> {
  const now = clock.now();
  const timing: Timing = {
    interval_seconds: input.intervalSeconds ?? DEFAULT_CRON_INTERVAL_SECONDS,
    cron: input.cron || null,
    timezone: input.cron ? input.timezone || null : null,
  };
  const row: ScheduleRow = {
    id: randomUUID(),
    name: input.name,
    description: input.description ?? '',
    workflow_id: input.workflowId,
    trigger_node_id: input.triggerNodeId ?? null,
    user_profile_id: input.userId,
    ...timing,
    total_repeats: input.totalRepeats ?? 0,
    max_retries: input.maxRetries ?? 3,
    timeout_seconds: input.timeoutSeconds ?? 600,
    trigger_payload: toJson(input.triggerPayload ?? {}),
    status: 'active',
    current_repeat: 0,
    current_retry: 0,
    last_run_at: null,
    next_run_at: input.runImmediately ? iso(now) : nextRunAfter(timing, now),
    run_count: 0,
    error_count: 0,
    last_error: '',
    pending_execution_id: null,
    created_at: iso(now),
    updated_at: iso(now),
  };
  await db.insertInto('scheduled_jobs').values(row).execute();
  return row;
}

async function reload(db: Kysely<Database>, id: string): Promise<ScheduleRow> {
  return db.selectFrom('scheduled_jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

export async function pauseSchedule(
  db: Kysely<Database>,
  row: ScheduleRow,
  clock: Clock = systemClock,
): Promise<ScheduleRow> {
  if (row.status !== 'active') throw badRequest(`Cannot pause job with status '${row.status}'.`);
  await db
    .updateTable('scheduled_jobs')
    .set({ status: 'paused', next_run_at: null, updated_at: iso(clock.now()) })
    .where('id', '=', row.id)
    .execute();
  return reload(db, row.id);
}

export async function resumeSchedule(
  db: Kysely<Database>,
  row: ScheduleRow,
  clock: Clock = systemClock,
): Promise<ScheduleRow> {
  if (row.status !== 'paused') throw badRequest(`Cannot resume job with status '${row.status}'.`);
  const now = clock.now();
  await db
    .updateTable('scheduled_jobs')
    .set({ status: 'active', next_run_at: nextRunAfter(row, now), updated_at: iso(now) })
    .where('id', '=', row.id)
    .execute();
  return reload(db, row.id);
}

export interface ScheduleChanges {
  name?: string;
  description?: string;
  interval_seconds?: number;
  cron?: string | null;
  timezone?: string | null;
  total_repeats?: number;
  max_retries?: number;
  timeout_seconds?: number;
  trigger_payload?: Record<string, unknown> | null;
}

/** Applies changes; an active schedule whose timing changed gets a new `next_run_at` (fix §16.37). */
export async function updateSchedule(
  db: Kysely<Database>,
  row: ScheduleRow,
  changes: ScheduleChanges,
  clock: Clock = systemClock,
): Promise<ScheduleRow> {
  const now = clock.now();
  const set: Partial<ScheduleRow> = { updated_at: iso(now) };
  if (changes.name !== undefined) set.name = changes.name;
  if (changes.description !== undefined) set.description = changes.description;
  if (changes.interval_seconds !== undefined) set.interval_seconds = changes.interval_seconds;
  if (changes.cron !== undefined) set.cron = changes.cron || null;
  if (changes.timezone !== undefined) set.timezone = changes.timezone || null;
  if (changes.total_repeats !== undefined) set.total_repeats = changes.total_repeats;
  if (changes.max_retries !== undefined) set.max_retries = changes.max_retries;
  if (changes.timeout_seconds !== undefined) set.timeout_seconds = changes.timeout_seconds;
  if (changes.trigger_payload !== undefined) set.trigger_payload = toJson(changes.trigger_payload ?? {});
  const timing: Timing = {
    interval_seconds: toInt(set.interval_seconds ?? row.interval_seconds),
    cron: set.cron !== undefined ? set.cron : row.cron,
    timezone: set.timezone !== undefined ? set.timezone : row.timezone,
  };
  const timingChanged =
    timing.interval_seconds !== toInt(row.interval_seconds) ||
    timing.cron !== row.cron ||
    timing.timezone !== row.timezone;
  if (timingChanged && row.status === 'active') set.next_run_at = nextRunAfter(timing, now);
  await db.updateTable('scheduled_jobs').set(set).where('id', '=', row.id).execute();
  return reload(db, row.id);
}

/** Node-level parameters read from a `trigger_schedule` node's `extra_config` (spec §4.6). */
export interface NodeScheduleParams {
  interval_seconds: number;
  total_repeats: number;
  max_retries: number;
  timeout_seconds: number;
  trigger_payload: Record<string, unknown>;
  cron: string | null;
  timezone: string | null;
  run_immediately: boolean;
}

/**
 * `POST …/nodes/{id}/schedule/start/`: creates the node's schedule, or resumes a paused one, or
 * restarts a finished/dead one with fresh counters, or only updates an active one's parameters.
 */
export async function startNodeSchedule(
  db: Kysely<Database>,
  existing: ScheduleRow | undefined,
  target: { workflowId: number; nodeId: string; userId: number },
  params: NodeScheduleParams,
  clock: Clock = systemClock,
): Promise<ScheduleRow> {
  const now = clock.now();
  if (!existing) {
    return createSchedule(
      db,
      {
        name: `schedule:${target.nodeId}`,
        workflowId: target.workflowId,
        triggerNodeId: target.nodeId,
        userId: target.userId,
        intervalSeconds: params.interval_seconds,
        cron: params.cron,
        timezone: params.timezone,
        totalRepeats: params.total_repeats,
        maxRetries: params.max_retries,
        timeoutSeconds: params.timeout_seconds,
        triggerPayload: params.trigger_payload,
        runImmediately: params.run_immediately,
      },
      clock,
    );
  }
  const timing: Timing = {
    interval_seconds: params.interval_seconds,
    cron: params.cron,
    timezone: params.cron ? params.timezone : null,
  };
  const set: Partial<ScheduleRow> = {
    ...timing,
    total_repeats: params.total_repeats,
    max_retries: params.max_retries,
    timeout_seconds: params.timeout_seconds,
    trigger_payload: toJson(params.trigger_payload),
    updated_at: iso(now),
  };
  const first = params.run_immediately ? iso(now) : nextRunAfter(timing, now);
  if (existing.status === 'paused') Object.assign(set, { status: 'active', next_run_at: first });
  if (existing.status === 'done' || existing.status === 'dead' || existing.status === 'stopped') {
    Object.assign(set, {
      status: 'active',
      next_run_at: first,
      current_repeat: 0,
      current_retry: 0,
      error_count: 0,
      run_count: 0,
      last_error: '',
    });
  }
  await db.updateTable('scheduled_jobs').set(set).where('id', '=', existing.id).execute();
  return reload(db, existing.id);
}
