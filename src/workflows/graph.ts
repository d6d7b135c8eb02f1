/**
 * Reading workflows: visibility (owners see theirs, admins all), counts, and the whole graph as the
 * API serialises it. The execution engine reads workflows through `loadWorkflowDetail` too.
 */
import type { Kysely } from 'kysely';
import type { AuthUser } from '../auth/verify-api-key.js';
import type { Database } from '../db/schema.js';
import { toInt } from '../db/values.js';
import { notFound } from '../errors.js';
import { getNodeType } from '../nodes/registry.js';
import { scheduleJobForNode } from '../schedules/schedule-out.js';
import {
  type EdgeOut,
  edgeOut,
  llmLinks,
  type NodeOut,
  nodeOut,
  parseNodeConfig,
  type WorkflowCounts,
  type WorkflowOut,
  type WorkflowRow,
  workflowOut,
} from './out.js';

type Viewer = Pick<AuthUser, 'id' | 'role'>;

/** The workflow with this slug if `user` may see it, else 404 "Workflow not found.". */
export async function findVisibleWorkflow(
  db: Kysely<Database>,
  user: Viewer,
  slug: string,
): Promise<WorkflowRow> {
  let query = db.selectFrom('workflows').selectAll().where('slug', '=', slug);
  if (user.role !== 'admin') query = query.where('owner_id', '=', user.id);
  const row = await query.executeTakeFirst();
  if (!row) throw notFound('Workflow not found.');
  return row;
}

/** Same check by database id; `undefined` when not visible. */
export async function findVisibleWorkflowById(
  db: Kysely<Database>,
  user: Viewer,
  id: number,
): Promise<WorkflowRow | undefined> {
  let query = db.selectFrom('workflows').selectAll().where('id', '=', id);
  if (user.role !== 'admin') query = query.where('owner_id', '=', user.id);
  return query.executeTakeFirst();
}

const isTriggerType = (type: string) =>
  getNodeType(type)?.flags.trigger === true || type.startsWith('trigger_');

/** Node, edge and trigger counts for each workflow id. */
export async function countsFor(db: Kysely<Database>, ids: number[]): Promise<Map<number, WorkflowCounts>> {
  const counts = new Map<number, WorkflowCounts>(
    ids.map((id) => [id, { node_count: 0, edge_count: 0, trigger_count: 0 }]),
  );
  if (!ids.length) return counts;
  const nodeRows = await db
    .selectFrom('workflow_nodes')
    .select(['workflow_id', 'component_type', (eb) => eb.fn.countAll().as('n')])
    .where('workflow_id', 'in', ids)
    .groupBy(['workflow_id', 'component_type'])
    .execute();
  for (const row of nodeRows) {
    const c = counts.get(toInt(row.workflow_id));
    if (!c) continue;
    c.node_count += toInt(row.n);
    if (isTriggerType(row.component_type)) c.trigger_count += toInt(row.n);
  }
  const edgeRows = await db
    .selectFrom('workflow_edges')
    .select(['workflow_id', (eb) => eb.fn.countAll().as('n')])
    .where('workflow_id', 'in', ids)
    .groupBy('workflow_id')
    .execute();
  for (const row of edgeRows) {
    const c = counts.get(toInt(row.workflow_id));
    if (c) c.edge_count = toInt(row.n);
  }
  return counts;
}

export async function workflowOutFor(db: Kysely<Database>, row: WorkflowRow): Promise<WorkflowOut> {
  const counts = await countsFor(db, [toInt(row.id)]);
  return workflowOut(row, counts.get(toInt(row.id)) ?? { node_count: 0, edge_count: 0, trigger_count: 0 });
}

export interface WorkflowDetail {
  workflow: WorkflowOut;
  /** Ordered by database id; `config` parsed, `config.llm_model_config_id` derived from `llm` edges. */
  nodes: NodeOut[];
  /** Ordered by priority, then id. */
  edges: EdgeOut[];
}

/**
 * The whole workflow as `GET /workflows/{slug}/` returns it (the API shape; the engine loads its own
 * runtime graph, engine/graph.ts); `undefined` if the id does not exist.
 */
export async function loadWorkflowDetail(
  db: Kysely<Database>,
  workflowId: number,
): Promise<WorkflowDetail | undefined> {
  const row = await db.selectFrom('workflows').selectAll().where('id', '=', workflowId).executeTakeFirst();
  if (!row) return undefined;
  const nodeRows = await db
    .selectFrom('workflow_nodes')
    .selectAll()
    .where('workflow_id', '=', workflowId)
    .orderBy('id')
    .execute();
  const edgeRows = await db
    .selectFrom('workflow_edges')
    .selectAll()
    .where('workflow_id', '=', workflowId)
    .orderBy('priority')
    .orderBy('id')
    .execute();
  const links = llmLinks(nodeRows, edgeRows);
  const schedules = new Map<string, Record<string, unknown> | null>();
  for (const n of nodeRows) {
    if (n.component_type === 'trigger_schedule')
      schedules.set(n.node_id, await scheduleJobForNode(db, workflowId, n.node_id));
  }
  const nodes = nodeRows.map((n) =>
    nodeOut(n, links.get(n.node_id) ?? null, schedules.get(n.node_id) ?? null),
  );
  const edges = edgeRows.map(edgeOut);
  const trigger_count = nodes.filter((n) => isTriggerType(n.component_type)).length;
  return {
    workflow: workflowOut(row, { node_count: nodes.length, edge_count: edges.length, trigger_count }),
    nodes,
    edges,
  };
}

/** One node as the API returns it (with its derived model link). */
export async function loadNodeOut(
  db: Kysely<Database>,
  workflowId: number,
  nodeId: string,
): Promise<NodeOut> {
  const row = await db
    .selectFrom('workflow_nodes')
    .selectAll()
    .where('workflow_id', '=', workflowId)
    .where('node_id', '=', nodeId)
    .executeTakeFirst();
  if (!row) throw notFound('Node not found.');
  const llm = await db
    .selectFrom('workflow_edges')
    .innerJoin('workflow_nodes as m', (j) =>
      j
        .onRef('m.node_id', '=', 'workflow_edges.source_node_id')
        .onRef('m.workflow_id', '=', 'workflow_edges.workflow_id'),
    )
    .select(['m.id as model_id'])
    .where('workflow_edges.workflow_id', '=', workflowId)
    .where('workflow_edges.target_node_id', '=', nodeId)
    .where('workflow_edges.edge_label', '=', 'llm')
    .where('m.component_type', '=', 'ai_model')
    .orderBy('workflow_edges.id')
    .executeTakeFirst();
  const schedule =
    row.component_type === 'trigger_schedule' ? await scheduleJobForNode(db, workflowId, nodeId) : null;
  return nodeOut(row, llm ? toInt(llm.model_id) : null, schedule);
}

/**
 * The trigger node a request starts: the named one of this type, else the first active one (by id).
 * Undefined when there is none.
 */
export async function findTriggerNode(
  db: Kysely<Database>,
  workflowId: number,
  componentType: string,
  nodeId?: string | null,
): Promise<{ node_id: string } | undefined> {
  let q = db
    .selectFrom('workflow_nodes')
    .select(['node_id', 'config'])
    .where('workflow_id', '=', workflowId)
    .where('component_type', '=', componentType);
  if (nodeId) q = q.where('node_id', '=', nodeId);
  const triggers = await q.orderBy('id').execute();
  return triggers.find((t) => nodeId || parseNodeConfig(t.config).is_active);
}
