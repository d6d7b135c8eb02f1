/**
 * A workflow as the engine sees it: nodes with parsed configuration and edges, loaded once per run.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { toBool } from '../db/values.js';
import type { NodeConfigData } from '../nodes/define-node.js';
import { type SavePolicy, toSavePolicy } from '../retention/save-policy.js';
import { parseNodeConfig } from '../workflows/out.js';

export interface GraphNode {
  dbId: number;
  nodeId: string;
  componentType: string;
  label: string | null;
  isEntryPoint: boolean;
  interruptBefore: boolean;
  interruptAfter: boolean;
  config: NodeConfigData;
  subworkflowId: number | null;
}

export interface GraphEdge {
  id: number;
  source: string;
  target: string;
  type: 'direct' | 'conditional';
  label: string;
  conditionValue: string;
  priority: number;
}

export interface WorkflowGraph {
  workflow: {
    id: number;
    slug: string;
    name: string;
    ownerId: number;
    isActive: boolean;
    maxExecutionSeconds: number;
    errorHandlerWorkflowId: number | null;
    savePolicy: SavePolicy;
  };
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** One parser for stored node configs, shared with the API's serialisation. */
export { parseNodeConfig } from '../workflows/out.js';

interface CachedGraph {
  version: number;
  nodes: GraphNode[];
  edges: GraphEdge[];
}
/** Per database, per workflow: nodes and edges as last loaded, with the `graph_version` they had. */
const cachesByDatabase = new WeakMap<Kysely<Database>, Map<number, CachedGraph>>();
/** Bounds the cache; the oldest entry goes first. */
const MAX_CACHED_GRAPHS = 500;

/**
 * Loads a workflow with its nodes and edges. The workflow row is read every time; nodes and edges
 * are reused while the row's `graph_version` (bumped by triggers on every change) is unchanged.
 */
export async function loadWorkflowGraph(
  db: Kysely<Database>,
  workflowId: number,
): Promise<WorkflowGraph | null> {
  const wf = await db.selectFrom('workflows').selectAll().where('id', '=', workflowId).executeTakeFirst();
  if (!wf) return null;
  let cachedGraphs = cachesByDatabase.get(db);
  if (!cachedGraphs) {
    cachedGraphs = new Map();
    cachesByDatabase.set(db, cachedGraphs);
  }
  let cached = cachedGraphs.get(workflowId);
  if (cached?.version !== wf.graph_version) {
    // Frozen: runs share these objects, so none may change them.
    cached = deepFreeze({ version: wf.graph_version, ...(await loadNodesAndEdges(db, workflowId)) });
    cachedGraphs.delete(workflowId);
    if (cachedGraphs.size >= MAX_CACHED_GRAPHS) cachedGraphs.delete(cachedGraphs.keys().next().value!);
    cachedGraphs.set(workflowId, cached);
  }
  return {
    workflow: {
      id: wf.id,
      slug: wf.slug,
      name: wf.name,
      ownerId: wf.owner_id,
      isActive: toBool(wf.is_active),
      maxExecutionSeconds: wf.max_execution_seconds,
      errorHandlerWorkflowId: wf.error_handler_workflow_id,
      savePolicy: toSavePolicy(wf.save_policy),
    },
    nodes: cached.nodes,
    edges: cached.edges,
  };
}

async function loadNodesAndEdges(db: Kysely<Database>, workflowId: number) {
  const [nodes, edges] = await Promise.all([
    db.selectFrom('workflow_nodes').selectAll().where('workflow_id', '=', workflowId).orderBy('id').execute(),
    db
      .selectFrom('workflow_edges')
      .selectAll()
      .where('workflow_id', '=', workflowId)
      .orderBy('priority')
      .orderBy('id')
      .execute(),
  ]);
  return {
    nodes: nodes.map(
      (n): GraphNode => ({
        dbId: n.id,
        nodeId: n.node_id,
        componentType: n.component_type,
        label: n.label,
        isEntryPoint: toBool(n.is_entry_point),
        interruptBefore: toBool(n.interrupt_before),
        interruptAfter: toBool(n.interrupt_after),
        config: parseNodeConfig(n.config),
        subworkflowId: n.subworkflow_id,
      }),
    ),
    edges: edges.map(
      (e): GraphEdge => ({
        id: e.id,
        source: e.source_node_id,
        target: e.target_node_id,
        type: e.edge_type === 'conditional' ? 'conditional' : 'direct',
        label: e.edge_label ?? '',
        conditionValue: e.condition_value ?? '',
        priority: e.priority,
      }),
    ),
  };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
