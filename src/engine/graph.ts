/**
 * A workflow as the engine sees it: nodes with parsed configuration and edges, loaded once per run.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { toBool } from '../db/values.js';
import type { NodeConfigData } from '../nodes/define-node.js';
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
  };
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** One parser for stored node configs, shared with the API's serialisation. */
export { parseNodeConfig } from '../workflows/out.js';

export async function loadWorkflowGraph(
  db: Kysely<Database>,
  workflowId: number,
): Promise<WorkflowGraph | null> {
  const wf = await db.selectFrom('workflows').selectAll().where('id', '=', workflowId).executeTakeFirst();
  if (!wf) return null;
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
    workflow: {
      id: wf.id,
      slug: wf.slug,
      name: wf.name,
      ownerId: wf.owner_id,
      isActive: toBool(wf.is_active),
      maxExecutionSeconds: wf.max_execution_seconds,
      errorHandlerWorkflowId: wf.error_handler_workflow_id,
    },
    nodes: nodes.map((n) => ({
      dbId: n.id,
      nodeId: n.node_id,
      componentType: n.component_type,
      label: n.label,
      isEntryPoint: toBool(n.is_entry_point),
      interruptBefore: toBool(n.interrupt_before),
      interruptAfter: toBool(n.interrupt_after),
      config: parseNodeConfig(n.config),
      subworkflowId: n.subworkflow_id,
    })),
    edges: edges.map((e) => ({
      id: e.id,
      source: e.source_node_id,
      target: e.target_node_id,
      type: e.edge_type === 'conditional' ? 'conditional' : 'direct',
      label: e.edge_label ?? '',
      conditionValue: e.condition_value ?? '',
      priority: e.priority,
    })),
  };
}
