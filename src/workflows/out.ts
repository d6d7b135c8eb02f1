/**
 * Row → API mapping for workflows, nodes and edges (`WorkflowOut`, `NodeOut`, `EdgeOut`), shared by the
 * REST API, the DSL export and the execution engine.
 */
import type { Selectable } from 'kysely';
import type { WorkflowEdgesTable, WorkflowNodesTable, WorkflowsTable } from '../db/tables/workflows.js';
import { fromJson, toBool, toInt } from '../db/values.js';
import type { NodeConfigData } from '../nodes/define-node.js';
import { type SavePolicy, toSavePolicy } from '../retention/save-policy.js';
import { defaultNodeConfig } from './node-config.js';

export type WorkflowRow = Selectable<WorkflowsTable>;
export type NodeRow = Selectable<WorkflowNodesTable>;
export type EdgeRow = Selectable<WorkflowEdgesTable>;

export interface WorkflowCounts {
  node_count: number;
  edge_count: number;
  trigger_count: number;
}

export interface WorkflowOut extends WorkflowCounts {
  id: number;
  name: string;
  slug: string;
  description: string;
  owner_id: number;
  is_active: boolean;
  is_public: boolean;
  is_default: boolean;
  tags: string[] | null;
  error_handler_workflow_id: number | null;
  forked_from_id: number | null;
  max_execution_seconds: number;
  /** What finished executions keep (src/retention/save-policy.ts). */
  save_policy: SavePolicy;
  /** Per-execution LLM limits (src/llm/usage-meter.ts); null = none. */
  budget_tokens: number | null;
  budget_usd: number | null;
  input_schema: unknown;
  output_schema: unknown;
  created_at: string;
  updated_at: string;
}

/** `ComponentConfigData` as sent: every key, plus the derived model link and `input_template`. */
export interface NodeConfigOut extends NodeConfigData {
  /** Database id of the `ai_model` node connected by an incoming `llm` edge. */
  llm_model_config_id: number | null;
  input_template: string | null;
}

export interface NodeOut {
  id: number;
  node_id: string;
  label: string | null;
  component_type: string;
  is_entry_point: boolean;
  interrupt_before: boolean;
  interrupt_after: boolean;
  position_x: number;
  position_y: number;
  config: NodeConfigOut;
  subworkflow_id: number | null;
  code_block_id: null;
  updated_at: string;
  /** Filled by the scheduler feature for `trigger_schedule` nodes. */
  schedule_job: Record<string, unknown> | null;
}

export interface EdgeOut {
  id: number;
  source_node_id: string;
  target_node_id: string;
  edge_type: 'direct' | 'conditional';
  edge_label: string;
  condition_mapping: Record<string, unknown> | null;
  condition_value: string;
  priority: number;
}

export function workflowOut(row: WorkflowRow, counts: WorkflowCounts): WorkflowOut {
  return {
    id: toInt(row.id),
    name: row.name,
    slug: row.slug,
    description: row.description,
    owner_id: toInt(row.owner_id),
    is_active: toBool(row.is_active),
    is_public: toBool(row.is_public),
    is_default: toBool(row.is_default),
    tags: fromJson<string[] | null>(row.tags, null),
    error_handler_workflow_id:
      row.error_handler_workflow_id === null ? null : toInt(row.error_handler_workflow_id),
    forked_from_id: row.forked_from_id === null ? null : toInt(row.forked_from_id),
    max_execution_seconds: toInt(row.max_execution_seconds),
    save_policy: toSavePolicy(row.save_policy),
    budget_tokens: row.budget_tokens == null ? null : toInt(row.budget_tokens),
    budget_usd: row.budget_usd == null ? null : Number(row.budget_usd),
    input_schema: fromJson(row.input_schema, null),
    output_schema: fromJson(row.output_schema, null),
    created_at: row.created_at,
    updated_at: row.updated_at,
    ...counts,
  };
}

/** The stored config over the defaults, so every key is present even for old rows. */
/** A stored node config with every key present (defaults fill the gaps). */
export function parseNodeConfig(text: string | null | undefined): NodeConfigData {
  const stored = fromJson<Partial<NodeConfigData>>(text, {});
  const config = { ...defaultNodeConfig(), ...stored };
  if (!config.extra_config || typeof config.extra_config !== 'object') config.extra_config = {};
  if (!config.trigger_config || typeof config.trigger_config !== 'object') config.trigger_config = {};
  if (config.is_active === null || config.is_active === undefined) config.is_active = true;
  return config;
}

export function nodeOut(
  row: NodeRow,
  llmModelNodeId: number | null = null,
  scheduleJob: Record<string, unknown> | null = null,
): NodeOut {
  const config = parseNodeConfig(row.config);
  const template = config.extra_config.input_template;
  return {
    id: toInt(row.id),
    node_id: row.node_id,
    label: row.label,
    component_type: row.component_type,
    is_entry_point: toBool(row.is_entry_point),
    interrupt_before: toBool(row.interrupt_before),
    interrupt_after: toBool(row.interrupt_after),
    position_x: toInt(row.position_x),
    position_y: toInt(row.position_y),
    config: {
      ...config,
      llm_model_config_id: llmModelNodeId,
      input_template: typeof template === 'string' ? template : null,
    },
    subworkflow_id: row.subworkflow_id === null ? null : toInt(row.subworkflow_id),
    code_block_id: null,
    updated_at: row.updated_at,
    schedule_job: scheduleJob,
  };
}

export function edgeOut(row: EdgeRow): EdgeOut {
  return {
    id: toInt(row.id),
    source_node_id: row.source_node_id,
    target_node_id: row.target_node_id,
    edge_type: row.edge_type === 'conditional' ? 'conditional' : 'direct',
    edge_label: row.edge_label,
    condition_mapping: fromJson<Record<string, unknown> | null>(row.condition_mapping, null),
    condition_value: row.condition_value,
    priority: toInt(row.priority),
  };
}

/**
 * For each node id, the database id of the `ai_model` node feeding it through an `llm` edge (the
 * lowest edge id wins when there are several). Derived, never stored, so it cannot go stale.
 */
export function llmLinks(
  nodes: Pick<NodeRow, 'id' | 'node_id' | 'component_type'>[],
  edges: Pick<EdgeRow, 'id' | 'source_node_id' | 'target_node_id' | 'edge_label'>[],
): Map<string, number> {
  const models = new Map(
    nodes.filter((n) => n.component_type === 'ai_model').map((n) => [n.node_id, toInt(n.id)]),
  );
  const links = new Map<string, number>();
  for (const edge of [...edges].sort((a, b) => toInt(a.id) - toInt(b.id))) {
    if (edge.edge_label !== 'llm' || links.has(edge.target_node_id)) continue;
    const source = models.get(edge.source_node_id);
    if (source !== undefined) links.set(edge.target_node_id, source);
  }
  return links;
}
