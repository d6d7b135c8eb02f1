/**
 * Node-level schedule actions (spec §4.6), registered under `/api/v1/workflows`:
 * `POST /{slug}/nodes/{node_id}/schedule/{start,pause,stop}/`. Each answers the node's `NodeOut`
 * (with `schedule_job`) and publishes `node_updated` on `workflow:<slug>`.
 */
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../../db/schema.js';
import { fromJson, nowIso, toInt, toJson } from '../../db/values.js';
import { badRequest, notFound, unprocessable } from '../../errors.js';
import { publishEditingEvent } from '../../realtime/events.js';
import { pauseSchedule, startNodeSchedule } from '../../schedules/schedule-actions.js';
import { findNodeSchedule } from '../../schedules/schedule-out.js';
import { cronProblem } from '../../schedules/timing.js';
import { findVisibleWorkflow, loadNodeOut } from '../../workflows/graph.js';
import { currentUser, requireAuthentication } from '../guards.js';
import { validate } from '../validate.js';

const ZParams = z.object({ slug: z.string().min(1).max(255), node_id: z.string().min(1).max(255) });

const int = (v: unknown, fallback: number) =>
  typeof v === 'number' && Number.isFinite(v)
    ? Math.trunc(v)
    : typeof v === 'string' && /^-?\d+$/.test(v)
      ? Number(v)
      : fallback;

async function setTriggerActive(db: Kysely<Database>, id: number, config: string, active: boolean) {
  const stored = fromJson<Record<string, unknown>>(config, {});
  await db
    .updateTable('workflow_nodes')
    .set({ config: toJson({ ...stored, is_active: active }), updated_at: nowIso() })
    .where('id', '=', id)
    .execute();
}

export async function nodeScheduleRoutes(app: FastifyInstance): Promise<void> {
  requireAuthentication(app);
  const db = app.services.database.db;

  const loadNode = async (slug: string, nodeId: string, userRequest: Parameters<typeof currentUser>[0]) => {
    const user = currentUser(userRequest);
    const wf = await findVisibleWorkflow(db, user, slug);
    const node = await db
      .selectFrom('workflow_nodes')
      .selectAll()
      .where('workflow_id', '=', wf.id)
      .where('node_id', '=', nodeId)
      .executeTakeFirst();
    if (!node) throw notFound('Node not found.');
    return { user, wf, node };
  };

  const answer = async (slug: string, workflowId: number, nodeId: string) => {
    const out = await loadNodeOut(db, workflowId, nodeId);
    await publishEditingEvent(
      app.services.bus,
      slug,
      'node_updated',
      out as unknown as Record<string, unknown>,
    );
    return out;
  };

  app.post('/:slug/nodes/:node_id/schedule/start/', async (request) => {
    const { slug, node_id } = validate(ZParams, request.params, 'path');
    const { user, wf, node } = await loadNode(slug, node_id, request);
    if (node.component_type !== 'trigger_schedule') throw badRequest('Node is not a trigger_schedule.');
    const extra = fromJson<Record<string, unknown>>(node.config, {}).extra_config as
      | Record<string, unknown>
      | undefined;
    const cfg = extra && typeof extra === 'object' ? extra : {};
    const interval = int(cfg.interval_seconds, 300);
    if (interval < 1) throw unprocessable('interval_seconds must be >= 1');
    const cron = typeof cfg.cron === 'string' && cfg.cron.trim() ? cfg.cron.trim() : null;
    const timezone = typeof cfg.timezone === 'string' && cfg.timezone.trim() ? cfg.timezone.trim() : null;
    if (cron) {
      const problem = cronProblem(cron, timezone);
      if (problem) throw unprocessable(problem);
    }
    const payload = cfg.trigger_payload;
    const workflowId = toInt(wf.id);
    await startNodeSchedule(
      db,
      await findNodeSchedule(db, workflowId, node_id),
      { workflowId, nodeId: node_id, userId: user.id },
      {
        interval_seconds: interval,
        total_repeats: Math.max(0, int(cfg.total_repeats, 0)),
        max_retries: Math.max(0, int(cfg.max_retries, 3)),
        timeout_seconds: Math.max(1, int(cfg.timeout_seconds, 600)),
        trigger_payload:
          payload && typeof payload === 'object' && !Array.isArray(payload)
            ? (payload as Record<string, unknown>)
            : {},
        cron,
        timezone,
        run_immediately: cfg.run_immediately === true,
      },
    );
    await setTriggerActive(db, toInt(node.id), node.config, true);
    return answer(wf.slug, workflowId, node_id);
  });

  app.post('/:slug/nodes/:node_id/schedule/pause/', async (request) => {
    const { slug, node_id } = validate(ZParams, request.params, 'path');
    const { wf } = await loadNode(slug, node_id, request);
    const job = await findNodeSchedule(db, toInt(wf.id), node_id);
    if (!job) throw notFound('No scheduled job found for this node.');
    await pauseSchedule(db, job);
    return answer(wf.slug, toInt(wf.id), node_id);
  });

  app.post('/:slug/nodes/:node_id/schedule/stop/', async (request) => {
    const { slug, node_id } = validate(ZParams, request.params, 'path');
    const { wf, node } = await loadNode(slug, node_id, request);
    const job = await findNodeSchedule(db, toInt(wf.id), node_id);
    if (!job) throw notFound('No scheduled job found for this node.');
    await db
      .deleteFrom('scheduled_jobs')
      .where('workflow_id', '=', wf.id)
      .where('trigger_node_id', '=', node_id)
      .execute();
    await setTriggerActive(db, toInt(node.id), node.config, false);
    return answer(wf.slug, toInt(wf.id), node_id);
  });
}
