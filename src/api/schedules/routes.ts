/**
 * `/api/v1/schedules` (spec §4.13): list, create, get, update (reschedules when the timing changes),
 * delete, pause, resume, batch delete, and next-run previews for interval and cron schedules.
 * Scoped by workflow ownership: normal users see schedules of their own workflows only (others' 404).
 */
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { AuthUser } from '../../auth/verify-api-key.js';
import type { Database } from '../../db/schema.js';
import { toInt } from '../../db/values.js';
import { notFound, unprocessable } from '../../errors.js';
import {
  createSchedule,
  DEFAULT_CRON_INTERVAL_SECONDS,
  pauseSchedule,
  resumeSchedule,
  updateSchedule,
} from '../../schedules/schedule-actions.js';
import { type ScheduleRow, scheduleOut } from '../../schedules/schedule-out.js';
import { cronProblem, nextRuns } from '../../schedules/timing.js';
import { findVisibleWorkflowById } from '../../workflows/graph.js';
import { currentUser, requireAuthentication } from '../guards.js';
import { ZPage } from '../pagination.js';
import { validate } from '../validate.js';

const STATUSES = ['active', 'paused', 'stopped', 'dead', 'done'] as const;

const interval = z.number().int().min(1, 'interval_seconds must be >= 1');
const repeats = z.number().int().min(0, 'total_repeats must be >= 0');
const retries = z.number().int().min(0, 'max_retries must be >= 0');
const timeout = z.number().int().min(1, 'timeout_seconds must be >= 1');
const payload = z.record(z.string(), z.unknown()).nullable();
const cron = z.string().trim().max(255);
const timezone = z.string().trim().max(64);

/** A bad cron expression or time zone is a 422 on the `cron` field. */
function checkCron(v: { cron?: string | null; timezone?: string | null }, ctx: z.RefinementCtx) {
  if (!v.cron) return;
  const problem = cronProblem(v.cron, v.timezone);
  if (problem) ctx.addIssue({ code: 'custom', path: ['cron'], message: problem });
}

const ZCreate = z
  .object({
    name: z.string().min(1).max(255),
    description: z.string().max(10_000).default(''),
    workflow_id: z.number().int(),
    trigger_node_id: z.string().max(255).nullish(),
    interval_seconds: interval.optional(),
    cron: cron.nullish(),
    timezone: timezone.nullish(),
    total_repeats: repeats.default(0),
    max_retries: retries.default(3),
    timeout_seconds: timeout.default(600),
    trigger_payload: payload.optional(),
    run_immediately: z.boolean().default(false),
  })
  .superRefine((v, ctx) => {
    if (v.interval_seconds === undefined && !v.cron) {
      ctx.addIssue({
        code: 'custom',
        path: ['interval_seconds'],
        message: 'interval_seconds is required unless cron is given',
      });
    }
    checkCron(v, ctx);
  });

const ZUpdate = z
  .object({
    name: z.string().min(1).max(255).nullish(),
    description: z.string().max(10_000).nullish(),
    interval_seconds: interval.nullish(),
    cron: cron.nullish(),
    timezone: timezone.nullish(),
    total_repeats: repeats.nullish(),
    max_retries: retries.nullish(),
    timeout_seconds: timeout.nullish(),
    trigger_payload: payload.optional(),
  })
  .superRefine(checkCron);

const ZList = ZPage.extend({
  status: z.enum(STATUSES).optional(),
  workflow_id: z.coerce.number().int().optional(),
});
const ZId = z.object({ job_id: z.string().min(1).max(64) });
const ZBatch = z.object({ schedule_ids: z.array(z.string().max(64)).max(1000) });
const ZCount = z.object({ count: z.coerce.number().int().min(1).max(100).default(5) });
const ZPreview = z
  .object({
    cron: cron.optional(),
    timezone: timezone.nullish(),
    interval_seconds: interval.optional(),
    count: z.number().int().min(1).max(100).default(5),
  })
  .superRefine((v, ctx) => {
    if (!v.cron && v.interval_seconds === undefined) {
      ctx.addIssue({ code: 'custom', path: ['cron'], message: 'cron or interval_seconds is required' });
    }
    checkCron(v, ctx);
  });

function visibleSchedules(db: Kysely<Database>, user: AuthUser) {
  let q = db
    .selectFrom('scheduled_jobs')
    .innerJoin('workflows', 'workflows.id', 'scheduled_jobs.workflow_id')
    .selectAll('scheduled_jobs');
  if (user.role !== 'admin') q = q.where('workflows.owner_id', '=', user.id);
  return q;
}

async function findVisibleSchedule(db: Kysely<Database>, user: AuthUser, id: string): Promise<ScheduleRow> {
  const row = await visibleSchedules(db, user).where('scheduled_jobs.id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Scheduled job not found.');
  return row;
}

function preview(row: Pick<ScheduleRow, 'cron' | 'timezone' | 'interval_seconds'>, count: number) {
  return {
    cron: row.cron,
    timezone: row.cron ? row.timezone || 'UTC' : null,
    interval_seconds: toInt(row.interval_seconds),
    next_runs: nextRuns(row, Date.now(), count).map((d) => d.toISOString()),
  };
}

export async function schedulesRoutes(app: FastifyInstance): Promise<void> {
  requireAuthentication(app);
  const db = app.services.database.db;

  app.get('/', async (request) => {
    const user = currentUser(request);
    const q = validate(ZList, request.query, 'query');
    let base = visibleSchedules(db, user);
    if (q.status) base = base.where('scheduled_jobs.status', '=', q.status);
    if (q.workflow_id !== undefined) base = base.where('scheduled_jobs.workflow_id', '=', q.workflow_id);
    const total = await base
      .clearSelect()
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirst();
    const rows = await base
      .orderBy('scheduled_jobs.created_at', 'desc')
      .orderBy('scheduled_jobs.id')
      .limit(q.limit)
      .offset(q.offset)
      .execute();
    return { items: rows.map(scheduleOut), total: toInt(total?.n) };
  });

  app.post('/', async (request, reply) => {
    const user = currentUser(request);
    const body = validate(ZCreate, request.body);
    const wf = await findVisibleWorkflowById(db, user, body.workflow_id);
    if (!wf) throw notFound('Workflow not found.');
    const row = await createSchedule(db, {
      name: body.name,
      description: body.description,
      workflowId: toInt(wf.id),
      triggerNodeId: body.trigger_node_id ?? null,
      userId: user.id,
      intervalSeconds: body.interval_seconds ?? DEFAULT_CRON_INTERVAL_SECONDS,
      cron: body.cron || null,
      timezone: body.timezone || null,
      totalRepeats: body.total_repeats,
      maxRetries: body.max_retries,
      timeoutSeconds: body.timeout_seconds,
      triggerPayload: body.trigger_payload ?? {},
      runImmediately: body.run_immediately,
    });
    reply.status(201);
    return scheduleOut(row);
  });

  app.post('/preview/', async (request) => {
    currentUser(request);
    const body = validate(ZPreview, request.body);
    return preview(
      {
        cron: body.cron || null,
        timezone: body.timezone || null,
        interval_seconds: body.interval_seconds ?? DEFAULT_CRON_INTERVAL_SECONDS,
      },
      body.count,
    );
  });

  app.post('/batch-delete/', async (request, reply) => {
    const user = currentUser(request);
    const body = validate(ZBatch, request.body);
    if (body.schedule_ids.length) {
      const visible = await visibleSchedules(db, user)
        .clearSelect()
        .select('scheduled_jobs.id')
        .where('scheduled_jobs.id', 'in', body.schedule_ids)
        .execute();
      const ids = visible.map((r) => r.id);
      if (ids.length) await db.deleteFrom('scheduled_jobs').where('id', 'in', ids).execute();
    }
    reply.status(204);
  });

  app.get('/:job_id/', async (request) => {
    const { job_id } = validate(ZId, request.params, 'path');
    return scheduleOut(await findVisibleSchedule(db, currentUser(request), job_id));
  });

  app.get('/:job_id/preview/', async (request) => {
    const { job_id } = validate(ZId, request.params, 'path');
    const { count } = validate(ZCount, request.query, 'query');
    return preview(await findVisibleSchedule(db, currentUser(request), job_id), count);
  });

  app.patch('/:job_id/', async (request) => {
    const { job_id } = validate(ZId, request.params, 'path');
    const row = await findVisibleSchedule(db, currentUser(request), job_id);
    const body = validate(ZUpdate, request.body);
    const cronValue = body.cron === undefined ? undefined : body.cron || null;
    if (cronValue !== undefined || body.timezone !== undefined) {
      // Validate the combination that will be stored.
      const effective = cronValue === undefined ? row.cron : cronValue;
      const tz = body.timezone === undefined ? row.timezone : body.timezone;
      const problem = effective ? cronProblem(effective, tz) : null;
      if (problem) throw unprocessable([{ loc: ['body', 'cron'], msg: problem, type: 'custom' }]);
    }
    const updated = await updateSchedule(db, row, {
      name: body.name ?? undefined,
      description: body.description ?? undefined,
      interval_seconds: body.interval_seconds ?? undefined,
      cron: cronValue,
      timezone: body.timezone === undefined ? undefined : body.timezone || null,
      total_repeats: body.total_repeats ?? undefined,
      max_retries: body.max_retries ?? undefined,
      timeout_seconds: body.timeout_seconds ?? undefined,
      trigger_payload: body.trigger_payload,
    });
    return scheduleOut(updated);
  });

  app.delete('/:job_id/', async (request, reply) => {
    const { job_id } = validate(ZId, request.params, 'path');
    const row = await findVisibleSchedule(db, currentUser(request), job_id);
    await db.deleteFrom('scheduled_jobs').where('id', '=', row.id).execute();
    reply.status(204);
  });

  app.post('/:job_id/pause/', async (request) => {
    const { job_id } = validate(ZId, request.params, 'path');
    const row = await findVisibleSchedule(db, currentUser(request), job_id);
    return scheduleOut(await pauseSchedule(db, row));
  });

  app.post('/:job_id/resume/', async (request) => {
    const { job_id } = validate(ZId, request.params, 'path');
    const row = await findVisibleSchedule(db, currentUser(request), job_id);
    return scheduleOut(await resumeSchedule(db, row));
  });
}
