/**
 * `/api/v1/executions`: list (filters, newest first), detail with per-node logs, status, cancel,
 * approve/deny a waiting confirmation, re-run, delete and batch delete. Normal users see executions
 * of their own workflows only (others' are 404).
 */
import type { FastifyInstance } from 'fastify';
import type { Kysely, Selectable } from 'kysely';
import { z } from 'zod';
import type { AuthUser } from '../../auth/verify-api-key.js';
import type { Database } from '../../db/schema.js';
import type { ExecutionNodesTable, ExecutionsTable } from '../../db/tables/executions.js';
import { fromJson, toInt } from '../../db/values.js';
import { cancelExecution } from '../../engine/cancel-execution.js';
import { answerPendingTask } from '../../engine/pending-tasks.js';
import { writeDeferredExecution } from '../../engine/run-execution.js';
import { startExecution } from '../../engine/start-execution.js';
import { badRequest, notFound } from '../../errors.js';
import { currentUser, requireAuthentication } from '../guards.js';
import { ZPage } from '../pagination.js';
import { validate } from '../validate.js';

const STATUSES = ['pending', 'running', 'interrupted', 'completed', 'failed', 'cancelled'] as const;
const ZListQuery = ZPage.extend({
  workflow_slug: z.string().max(255).optional(),
  status: z.enum(STATUSES).optional(),
});
const ZId = z.object({ execution_id: z.string().min(1).max(64) });
const ZBatch = z.object({ execution_ids: z.array(z.string().max(64)).max(1000) });
const ZAnswer = z.object({
  task_id: z.string().max(16).optional(),
  response: z.string().max(10_000).optional(),
});

type ExecutionWithSlug = Selectable<ExecutionsTable> & { workflow_slug: string };

function visibleExecutions(db: Kysely<Database>, user: AuthUser) {
  let q = db
    .selectFrom('executions')
    .innerJoin('workflows', 'workflows.id', 'executions.workflow_id')
    .selectAll('executions')
    .select('workflows.slug as workflow_slug');
  if (user.role !== 'admin') q = q.where('workflows.owner_id', '=', user.id);
  return q;
}

export async function findVisibleExecution(
  db: Kysely<Database>,
  user: AuthUser,
  executionId: string,
): Promise<ExecutionWithSlug> {
  const find = () =>
    visibleExecutions(db, user).where('executions.execution_id', '=', executionId).executeTakeFirst();
  let row = await find();
  // A run started here moments ago may not have written its row yet (a webhook in wait mode).
  if (!row && (await writeDeferredExecution(executionId))) row = await find();
  if (!row) throw notFound('Execution not found.');
  return row;
}

export function executionOut(row: ExecutionWithSlug) {
  return {
    execution_id: row.execution_id,
    workflow_slug: row.workflow_slug,
    workflow_id: row.workflow_id,
    status: row.status,
    error_message: row.error_message,
    error_code: row.error_code,
    trigger_node_id: row.trigger_node_id,
    parent_execution_id: row.parent_execution_id,
    created_at: row.created_at,
    started_at: row.started_at,
    completed_at: row.completed_at,
    total_input_tokens: row.total_input_tokens,
    total_output_tokens: row.total_output_tokens,
    total_tokens: row.total_tokens,
    total_cost_usd: Number(row.total_cost_usd),
    llm_calls: row.llm_calls,
  };
}

function logOut(row: Selectable<ExecutionNodesTable>) {
  return {
    id: row.id,
    node_id: row.node_id,
    iteration: row.iteration || null,
    component_type: row.component_type,
    // The reference calls a successful node log `completed`.
    status: row.status === 'success' ? 'completed' : row.status,
    input: fromJson(row.input, null),
    output: fromJson(row.output, null),
    route: row.route,
    error: row.error,
    error_code: row.error_code,
    metadata: fromJson(row.metadata, {}),
    retries: Math.max(0, row.attempts - 1),
    duration_ms: row.duration_ms,
    started_at: row.started_at,
    completed_at: row.completed_at,
    timestamp: row.completed_at ?? row.started_at,
    input_tokens: row.input_tokens,
    output_tokens: row.output_tokens,
    cost_usd: Number(row.cost_usd),
    llm_calls: row.llm_calls,
  };
}

export async function executionDetail(db: Kysely<Database>, row: ExecutionWithSlug) {
  const [logs, tasks] = await Promise.all([
    db
      .selectFrom('execution_nodes')
      .selectAll()
      .where('execution_id', '=', row.execution_id)
      .orderBy('id')
      .execute(),
    db.selectFrom('pending_tasks').selectAll().where('execution_id', '=', row.execution_id).execute(),
  ]);
  return {
    ...executionOut(row),
    trigger_payload: fromJson(row.trigger_payload, null),
    final_output: fromJson(row.final_output, null),
    logs: logs.map(logOut),
    pending_tasks: tasks.map((t) => ({
      task_id: t.task_id,
      node_id: t.node_id,
      // Which loop iteration waits ('' outside loops), e.g. `each:2`.
      iteration: t.iteration,
      prompt: t.prompt,
      created_at: t.created_at,
      expires_at: t.expires_at,
    })),
  };
}

export async function executionsRoutes(app: FastifyInstance): Promise<void> {
  requireAuthentication(app);
  const deps = app.services;
  const { db } = deps.database;

  app.get('/', async (request) => {
    const user = currentUser(request);
    const q = validate(ZListQuery, request.query, 'query');
    let base = visibleExecutions(db, user);
    if (q.workflow_slug) base = base.where('workflows.slug', '=', q.workflow_slug);
    if (q.status) base = base.where('executions.status', '=', q.status);
    const { n } = await base
      .clearSelect()
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    const rows = await base
      .orderBy('executions.created_at', 'desc')
      .orderBy('executions.execution_id')
      .limit(q.limit)
      .offset(q.offset)
      .execute();
    return { items: rows.map(executionOut), total: toInt(n) };
  });

  app.post('/batch-delete/', async (request, reply) => {
    const user = currentUser(request);
    const { execution_ids } = validate(ZBatch, request.body);
    if (execution_ids.length) {
      const visible = await visibleExecutions(db, user)
        .where('executions.execution_id', 'in', execution_ids)
        .execute();
      const ids = visible.map((r) => r.execution_id);
      if (ids.length) await db.deleteFrom('executions').where('execution_id', 'in', ids).execute();
    }
    return reply.status(204).send();
  });

  app.get('/:execution_id/', async (request) => {
    const { execution_id } = validate(ZId, request.params, 'path');
    return executionDetail(db, await findVisibleExecution(db, currentUser(request), execution_id));
  });

  app.get('/:execution_id/status/', async (request) => {
    const { execution_id } = validate(ZId, request.params, 'path');
    const row = await findVisibleExecution(db, currentUser(request), execution_id);
    return {
      execution_id: row.execution_id,
      workflow: row.workflow_slug,
      status: row.status,
      started_at: row.started_at,
      completed_at: row.completed_at,
      final_output: fromJson(row.final_output, null),
      error_message: row.error_message || null,
    };
  });

  app.post('/:execution_id/cancel/', async (request) => {
    const user = currentUser(request);
    const { execution_id } = validate(ZId, request.params, 'path');
    await findVisibleExecution(db, user, execution_id);
    await cancelExecution(deps, execution_id);
    return executionOut(await findVisibleExecution(db, user, execution_id));
  });

  const answer = (approve: boolean) => async (request: import('fastify').FastifyRequest) => {
    const user = currentUser(request);
    const { execution_id } = validate(ZId, request.params, 'path');
    const body = validate(ZAnswer, request.body);
    await findVisibleExecution(db, user, execution_id);
    let q = db.selectFrom('pending_tasks').selectAll().where('execution_id', '=', execution_id);
    if (body.task_id) q = q.where('task_id', '=', body.task_id);
    const task = await q.orderBy('created_at').executeTakeFirst();
    if (!task) throw notFound('No confirmation is waiting for this execution.');
    const response = body.response ?? (approve ? 'confirm' : 'deny');
    if (
      approve !== (response === 'confirm' || /^(yes|y|approve|approved|true|1|ok|confirmed)$/i.test(response))
    ) {
      throw badRequest('The response contradicts the action.');
    }
    const resumed = await answerPendingTask(db, task.task_id, response);
    if (!resumed) throw notFound('No confirmation is waiting for this execution.');
    await deps.queue.enqueue({ executionId: resumed });
    return { status: approve ? 'confirmed' : 'denied', task_id: task.task_id, execution_id };
  };
  app.post('/:execution_id/approve/', answer(true));
  app.post('/:execution_id/deny/', answer(false));

  app.post('/:execution_id/rerun/', async (request, reply) => {
    const user = currentUser(request);
    const { execution_id } = validate(ZId, request.params, 'path');
    const row = await findVisibleExecution(db, user, execution_id);
    const fresh = await startExecution(deps, {
      workflowId: row.workflow_id,
      triggerNodeId: row.trigger_node_id,
      userId: user.id,
      payload: fromJson(row.trigger_payload, {}),
    });
    reply.status(201);
    return { execution_id: fresh.execution_id, status: fresh.status };
  });

  app.delete('/:execution_id/', async (request, reply) => {
    const { execution_id } = validate(ZId, request.params, 'path');
    await findVisibleExecution(db, currentUser(request), execution_id);
    await db.deleteFrom('executions').where('execution_id', '=', execution_id).execute();
    return reply.status(204).send();
  });
}
