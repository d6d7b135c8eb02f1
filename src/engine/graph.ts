/**
 * A workflow as the engine sees it: nodes with parsed configuration and edges, loaded once per run.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { fromJson, toBool } from '../db/values.js';
import type { NodeConfigData } from '../nodes/define-node.js';

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

const DEFAULT_CONFIG: NodeConfigData = {
  system_prompt: '',
  extra_config: {},
  llm_credential_id: null,
  model_name: '',
  temperature: null,
  max_tokens: null,
  top_p: null,
  frequency_penalty: null,
  presence_penalty: null,
  timeout: null,
  max_retries: null,
  response_format: null,
  credential_id: null,
  is_active: true,
  priority: 0,
  trigger_config: {},
};

/** Parses a stored node config, filling every missing key with its default. */
export function parseNodeConfig(text: string | null | undefined): NodeConfigData {
  const raw = fromJson<Partial<NodeConfigData>>(text, {});
  const merged = { ...DEFAULT_CONFIG, ...raw };
  if (!merged.extra_config || typeof merged.extra_config !== 'object') merged.extra_config = {};
  if (!merged.trigger_config || typeof merged.trigger_config !== 'object') merged.trigger_config = {};
  if (merged.is_active === null || merged.is_active === undefined) merged.is_active = true;
  return merged;
}

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
