/**
 * `/api/v1/workflows/{slug}/nodes/` and `/edges/` (registered inside the authenticated scope of
 * `routes.ts`). Every mutation publishes its editing event on `workflow:<slug>` after it commits.
 * Edge problems answer 422 `{"detail":{"validation_errors":[…]}}`; an identical edge answers 409.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { AuthUser } from '../../auth/verify-api-key.js';
import type { Database } from '../../db/schema.js';
import { nowIso, toInt, toJson } from '../../db/values.js';
import { AppError, conflict, notFound, unprocessable } from '../../errors.js';
import { getNodeType } from '../../nodes/registry.js';
import { publishEditingEvent } from '../../realtime/events.js';
import { checkEdge, EDGE_LABELS, type EdgeLike } from '../../workflows/edge-validation.js';
import { findVisibleWorkflow, findVisibleWorkflowById, loadNodeOut } from '../../workflows/graph.js';
import { applyNodeConfig, ZNodeConfigIn } from '../../workflows/node-config.js';
import { edgeOut, parseNodeConfig } from '../../workflows/out.js';
import { assertNodeIdFree, freeNodeId, insertEdge, insertNode } from '../../workflows/write.js';
import { currentUser } from '../guards.js';
import { validate } from '../validate.js';

const ZNodeId = z
  .string()
  .trim()
  .min(1)
  .max(255)
  .regex(/^[^/\s?#]+$/, 'node_id cannot contain spaces, /, ? or #');
const ZPosition = z.number().transform(Math.round);

const ZNodeIn = z.object({
  node_id: ZNodeId.nullish(),
  label: z.string().max(255).nullish(),
  component_type: z.string().min(1).max(40),
  is_entry_point: z.boolean().default(false),
  interrupt_before: z.boolean().default(false),
  interrupt_after: z.boolean().default(false),
  position_x: ZPosition.default(0),
  position_y: ZPosition.default(0),
  config: ZNodeConfigIn.nullish(),
  subworkflow_id: z.number().int().positive().nullish(),
  code_block_id: z.unknown().optional(),
});
const ZNodeUpdate = z.object({
  node_id: ZNodeId.optional(),
  label: z.string().max(255).nullable().optional(),
  component_type: z.string().optional(),
  is_entry_point: z.boolean().optional(),
  interrupt_before: z.boolean().optional(),
  interrupt_after: z.boolean().optional(),
  position_x: ZPosition.optional(),
  position_y: ZPosition.optional(),
  config: ZNodeConfigIn.optional(),
  subworkflow_id: z.number().int().positive().nullable().optional(),
  code_block_id: z.unknown().optional(),
});
const ZEdgeLabel = z.enum(EDGE_LABELS);
const ZEdgeIn = z.object({
  source_node_id: z.string().min(1).max(255),
  target_node_id: z.string().max(255).default(''),
  edge_type: z.enum(['direct', 'conditional']).default('direct'),
  edge_label: ZEdgeLabel.default(''),
  condition_mapping: z.record(z.string(), z.unknown()).nullish(),
  condition_value: z.string().max(100).default(''),
  priority: z.number().int().default(0),
});
const ZEdgeUpdate = z.object({
  source_node_id: z.string().min(1).max(255).optional(),
  target_node_id: z.string().max(255).optional(),
  edge_type: z.enum(['direct', 'conditional']).optional(),
  edge_label: ZEdgeLabel.optional(),
  condition_mapping: z.record(z.string(), z.unknown()).nullable().optional(),
  condition_value: z.string().max(100).optional(),
  priority: z.number().int().optional(),
});
const ZSlugParam = z.object({ slug: z.string().min(1) });
const ZNodeParam = ZSlugParam.extend({ node_id: z.string().min(1) });
const ZEdgeParam = ZSlugParam.extend({ edge_id: z.coerce.number().int().positive() });

async function checkSubworkflow(db: Kysely<Database>, user: AuthUser, id: number | null | undefined) {
  if (id === undefined || id === null) return;
  if (!(await findVisibleWorkflowById(db, user, id))) {
    throw new AppError(
      422,
      [{ loc: ['body', 'subworkflow_id'], msg: `Workflow ${id} not found.`, type: 'value_error' }],
      'VALIDATION',
    );
  }
}

async function graphOf(db: Kysely<Database>, workflowId: number) {
  const nodes = await db
    .selectFrom('workflow_nodes')
    .select(['node_id', 'component_type'])
    .where('workflow_id', '=', workflowId)
    .execute();
  const edges = await db
    .selectFrom('workflow_edges')
    .selectAll()
    .where('workflow_id', '=', workflowId)
    .execute();
  return {
    nodes: new Map(nodes.map((n) => [n.node_id, n])),
    edges: edges.map((e) => ({ ...e, id: toInt(e.id) })),
  };
}

function refuseEdge(problem: ReturnType<typeof checkEdge>): void {
  if (!problem) return;
  if (problem.status === 409) throw conflict(problem.errors[0]);
  throw unprocessable({ validation_errors: problem.errors });
}

export async function nodesEdgesRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.services.database;
  const bus = app.services.bus;
  const emit = (slug: string, type: Parameters<typeof publishEditingEvent>[2], data: unknown) =>
    publishEditingEvent(bus, slug, type, data as Record<string, unknown>);

  // ---- nodes ----
  app.get('/:slug/nodes', async (request) => {
    const { slug } = validate(ZSlugParam, request.params, 'path');
    const wf = await findVisibleWorkflow(db, currentUser(request), slug);
    const rows = await db
      .selectFrom('workflow_nodes')
      .select('node_id')
      .where('workflow_id', '=', wf.id)
      .orderBy('id')
      .execute();
    return Promise.all(rows.map((r) => loadNodeOut(db, toInt(wf.id), r.node_id)));
  });

  app.post('/:slug/nodes', async (request, reply) => {
    const user = currentUser(request);
    const { slug } = validate(ZSlugParam, request.params, 'path');
    const wf = await findVisibleWorkflow(db, user, slug);
    const input = validate(ZNodeIn, request.body);
    const descriptor = getNodeType(input.component_type);
    if (!descriptor) {
      throw new AppError(
        422,
        [
          {
            loc: ['body', 'component_type'],
            msg: `Unknown component type '${input.component_type}'`,
            type: 'value_error',
          },
        ],
        'VALIDATION',
      );
    }
    const config = applyNodeConfig(descriptor, input.config ?? undefined);
    await checkSubworkflow(db, user, input.subworkflow_id);
    const workflowId = toInt(wf.id);
    let nodeId = input.node_id ?? '';
    if (nodeId) await assertNodeIdFree(db, workflowId, nodeId);
    else nodeId = await freeNodeId(db, workflowId, descriptor.type);
    try {
      await insertNode(db, workflowId, {
        node_id: nodeId,
        label: input.label ?? null,
        component_type: descriptor.type,
        is_entry_point: input.is_entry_point,
        interrupt_before: descriptor.type === 'human_confirmation' ? true : input.interrupt_before,
        interrupt_after: input.interrupt_after,
        position_x: input.position_x,
        position_y: input.position_y,
        config,
        subworkflow_id: input.subworkflow_id ?? null,
      });
    } catch (err) {
      // A concurrent insert of the same id hits the unique constraint.
      if (/unique|duplicate/i.test((err as Error).message))
        throw conflict(`Node with id '${nodeId}' already exists.`);
      throw err;
    }
    const out = await loadNodeOut(db, workflowId, nodeId);
    await emit(wf.slug, 'node_created', out);
    reply.status(201);
    return out;
  });

  app.patch('/:slug/nodes/:node_id', async (request) => {
    const user = currentUser(request);
    const params = validate(ZNodeParam, request.params, 'path');
    const wf = await findVisibleWorkflow(db, user, params.slug);
    const workflowId = toInt(wf.id);
    const row = await db
      .selectFrom('workflow_nodes')
      .selectAll()
      .where('workflow_id', '=', workflowId)
      .where('node_id', '=', params.node_id)
      .executeTakeFirst();
    if (!row) throw notFound('Node not found.');
    const input = validate(ZNodeUpdate, request.body);
    if (input.component_type !== undefined && input.component_type !== row.component_type) {
      throw new AppError(
        422,
        [
          {
            loc: ['body', 'component_type'],
            msg: `component_type cannot be changed (${row.component_type} → ${input.component_type}); delete the node and add a new one`,
            type: 'value_error',
          },
        ],
        'VALIDATION',
      );
    }
    const descriptor = getNodeType(row.component_type);
    if (!descriptor) throw unprocessable(`Node type '${row.component_type}' is not registered.`);
    const set: Record<string, unknown> = { updated_at: nowIso() };
    if (input.config !== undefined)
      set.config = toJson(applyNodeConfig(descriptor, input.config, parseNodeConfig(row.config)));
    for (const key of [
      'label',
      'is_entry_point',
      'interrupt_before',
      'interrupt_after',
      'position_x',
      'position_y',
      'subworkflow_id',
    ] as const) {
      if (input[key] !== undefined) set[key] = input[key];
    }
    if (descriptor.type === 'human_confirmation') set.interrupt_before = true;
    await checkSubworkflow(db, user, input.subworkflow_id);
    const newId = input.node_id ?? row.node_id;
    const renamed = newId !== row.node_id;
    if (renamed) {
      await assertNodeIdFree(db, workflowId, newId);
      set.node_id = newId;
    }
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('workflow_nodes').set(set).where('id', '=', row.id).execute();
      if (renamed) {
        await trx
          .updateTable('workflow_edges')
          .set({ source_node_id: newId })
          .where('workflow_id', '=', workflowId)
          .where('source_node_id', '=', row.node_id)
          .execute();
        await trx
          .updateTable('workflow_edges')
          .set({ target_node_id: newId })
          .where('workflow_id', '=', workflowId)
          .where('target_node_id', '=', row.node_id)
          .execute();
      }
    });
    const out = await loadNodeOut(db, workflowId, newId);
    if (renamed) {
      // The old id disappears from canvases; the node and its edges come back under the new id.
      await emit(wf.slug, 'node_deleted', { node_id: row.node_id });
      await emit(wf.slug, 'node_created', out);
      const edges = await db
        .selectFrom('workflow_edges')
        .selectAll()
        .where('workflow_id', '=', workflowId)
        .where((eb) => eb.or([eb('source_node_id', '=', newId), eb('target_node_id', '=', newId)]))
        .execute();
      for (const e of edges) await emit(wf.slug, 'edge_updated', edgeOut(e));
    } else {
      await emit(wf.slug, 'node_updated', out);
    }
    return out;
  });

  app.delete('/:slug/nodes/:node_id', async (request, reply) => {
    const params = validate(ZNodeParam, request.params, 'path');
    const wf = await findVisibleWorkflow(db, currentUser(request), params.slug);
    const workflowId = toInt(wf.id);
    const row = await db
      .selectFrom('workflow_nodes')
      .select(['id', 'node_id', 'component_type'])
      .where('workflow_id', '=', workflowId)
      .where('node_id', '=', params.node_id)
      .executeTakeFirst();
    if (!row) throw notFound('Node not found.');
    const touching = await db.transaction().execute(async (trx) => {
      const edges = await trx
        .selectFrom('workflow_edges')
        .selectAll()
        .where('workflow_id', '=', workflowId)
        .where((eb) =>
          eb.or([eb('source_node_id', '=', row.node_id), eb('target_node_id', '=', row.node_id)]),
        )
        .execute();
      if (edges.length)
        await trx
          .deleteFrom('workflow_edges')
          .where(
            'id',
            'in',
            edges.map((e) => e.id),
          )
          .execute();
      await trx.deleteFrom('workflow_nodes').where('id', '=', row.id).execute();
      // A schedule fires its trigger node: without the node it could only fail, so it goes too.
      if (row.component_type === 'trigger_schedule') {
        await trx
          .deleteFrom('scheduled_jobs')
          .where('workflow_id', '=', workflowId)
          .where('trigger_node_id', '=', row.node_id)
          .execute();
      }
      return edges;
    });
    for (const e of touching) await emit(wf.slug, 'edge_deleted', { id: toInt(e.id) });
    await emit(wf.slug, 'node_deleted', { node_id: row.node_id });
    return reply.status(204).send();
  });

  // ---- edges ----
  /** The edge named in the path, on a workflow the caller may see; 404 otherwise. */
  const findEdge = async (request: FastifyRequest) => {
    const params = validate(ZEdgeParam, request.params, 'path');
    const wf = await findVisibleWorkflow(db, currentUser(request), params.slug);
    const workflowId = toInt(wf.id);
    const row = await db
      .selectFrom('workflow_edges')
      .selectAll()
      .where('workflow_id', '=', workflowId)
      .where('id', '=', params.edge_id)
      .executeTakeFirst();
    if (!row) throw notFound('Edge not found.');
    return { wf, workflowId, row };
  };
  app.get('/:slug/edges', async (request) => {
    const { slug } = validate(ZSlugParam, request.params, 'path');
    const wf = await findVisibleWorkflow(db, currentUser(request), slug);
    const rows = await db
      .selectFrom('workflow_edges')
      .selectAll()
      .where('workflow_id', '=', wf.id)
      .orderBy('priority')
      .orderBy('id')
      .execute();
    return rows.map(edgeOut);
  });

  app.post('/:slug/edges', async (request, reply) => {
    const { slug } = validate(ZSlugParam, request.params, 'path');
    const wf = await findVisibleWorkflow(db, currentUser(request), slug);
    const workflowId = toInt(wf.id);
    const input = validate(ZEdgeIn, request.body);
    const graph = await graphOf(db, workflowId);
    refuseEdge(checkEdge(input, graph.nodes, graph.edges));
    const id = await insertEdge(db, workflowId, {
      ...input,
      condition_mapping: input.condition_mapping ?? null,
    });
    const row = await db
      .selectFrom('workflow_edges')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    await emit(wf.slug, 'edge_created', edgeOut(row));
    if (input.edge_label === 'llm')
      await emit(wf.slug, 'node_updated', await loadNodeOut(db, workflowId, input.target_node_id));
    reply.status(201);
    return edgeOut(row);
  });

  app.patch('/:slug/edges/:edge_id', async (request) => {
    const { wf, workflowId, row } = await findEdge(request);
    const input = validate(ZEdgeUpdate, request.body);
    const next: EdgeLike & { id: number } = {
      id: toInt(row.id),
      source_node_id: input.source_node_id ?? row.source_node_id,
      target_node_id: input.target_node_id ?? row.target_node_id,
      edge_type: input.edge_type ?? row.edge_type,
      edge_label: input.edge_label ?? row.edge_label,
      condition_value: input.condition_value ?? row.condition_value,
    };
    const graph = await graphOf(db, workflowId);
    refuseEdge(checkEdge(next, graph.nodes, graph.edges));
    const set: Record<string, unknown> = {
      source_node_id: next.source_node_id,
      target_node_id: next.target_node_id,
      edge_type: next.edge_type,
      edge_label: next.edge_label,
      condition_value: next.condition_value,
    };
    if (input.priority !== undefined) set.priority = input.priority;
    if (input.condition_mapping !== undefined)
      set.condition_mapping = input.condition_mapping === null ? null : toJson(input.condition_mapping);
    await db.updateTable('workflow_edges').set(set).where('id', '=', row.id).execute();
    const updated = await db
      .selectFrom('workflow_edges')
      .selectAll()
      .where('id', '=', row.id)
      .executeTakeFirstOrThrow();
    await emit(wf.slug, 'edge_updated', edgeOut(updated));
    return edgeOut(updated);
  });

  app.delete('/:slug/edges/:edge_id', async (request, reply) => {
    const { wf, workflowId, row } = await findEdge(request);
    await db.deleteFrom('workflow_edges').where('id', '=', row.id).execute();
    await emit(wf.slug, 'edge_deleted', { id: toInt(row.id) });
    if (row.edge_label === 'llm') {
      const target = await db
        .selectFrom('workflow_nodes')
        .select('node_id')
        .where('workflow_id', '=', workflowId)
        .where('node_id', '=', row.target_node_id)
        .executeTakeFirst();
      if (target) await emit(wf.slug, 'node_updated', await loadNodeOut(db, workflowId, target.node_id));
    }
    return reply.status(204).send();
  });
}
