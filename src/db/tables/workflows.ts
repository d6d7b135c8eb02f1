/** Workflows, their nodes and edges (conventions in `../schema.ts`). */
import type { Generated } from 'kysely';
import type { Bool } from '../schema.js';

export interface WorkflowsTable {
  id: Generated<number>;
  owner_id: number;
  name: string;
  slug: string;
  description: string;
  is_active: Bool;
  is_public: Bool;
  is_default: Bool;
  /** JSON list of strings, or null. */
  tags: string | null;
  error_handler_workflow_id: number | null;
  forked_from_id: number | null;
  max_execution_seconds: number;
  /** JSON or null. */
  input_schema: string | null;
  output_schema: string | null;
  /** Per-execution limits (null = none); a run stops before the LLM call that would exceed them. */
  budget_tokens?: number | null;
  budget_usd?: number | null;
  created_at: string;
  updated_at: string;
  /** What finished executions keep: `all` | `outputs` (default) | `failures` | `metadata` (migration 0007). */
  save_policy: Generated<string>;
  /** Bumped by database triggers on every node or edge change (migration 0009). */
  graph_version: Generated<number>;
}

export interface WorkflowNodesTable {
  id: Generated<number>;
  workflow_id: number;
  /** The user-visible id, unique within the workflow (`<component_type>_<hex>` when generated). */
  node_id: string;
  label: string | null;
  component_type: string;
  is_entry_point: Bool;
  interrupt_before: Bool;
  interrupt_after: Bool;
  position_x: number;
  position_y: number;
  /**
   * JSON of the reference's `ComponentConfigData` (system_prompt, extra_config, model fields,
   * trigger fields). `extra_config` is validated by the node type's schema from the registry.
   */
  config: string;
  subworkflow_id: number | null;
  updated_at: string;
}

export interface WorkflowEdgesTable {
  id: Generated<number>;
  workflow_id: number;
  source_node_id: string;
  target_node_id: string;
  edge_type: 'direct' | 'conditional';
  /** `""`, `llm`, `tool`, `memory`, `output_parser`, `skill`, `loop_body`, `loop_return`. */
  edge_label: string;
  condition_value: string;
  /** JSON or null (legacy {route: target}). */
  condition_mapping: string | null;
  priority: number;
}

export interface WorkflowTables {
  workflows: WorkflowsTable;
  workflow_nodes: WorkflowNodesTable;
  workflow_edges: WorkflowEdgesTable;
}
