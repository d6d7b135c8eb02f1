/** Wire shapes the SPA reads (spec reference-client.md). Only the fields the screens use are typed. */

export interface Page<T> {
  items: T[];
  total: number;
}

export interface Workflow {
  id: number;
  name: string;
  slug: string;
  description: string;
  is_active: boolean;
  node_count: number;
  edge_count: number;
  trigger_count?: number;
  created_at: string;
  updated_at?: string;
}

export interface NodeConfig {
  system_prompt: string;
  extra_config: Record<string, unknown>;
  llm_credential_id: number | null;
  model_name: string;
  temperature: number | null;
  max_tokens: number | null;
  top_p?: number | null;
  frequency_penalty?: number | null;
  presence_penalty?: number | null;
  credential_id?: number | null;
  is_active?: boolean;
  priority?: number;
  trigger_config?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface WorkflowNode {
  id?: number;
  node_id: string;
  label: string | null;
  component_type: string;
  is_entry_point: boolean;
  interrupt_before: boolean;
  interrupt_after: boolean;
  position_x: number;
  position_y: number;
  config: NodeConfig;
}

export interface WorkflowEdge {
  id: number;
  source_node_id: string;
  target_node_id: string;
  edge_type: 'direct' | 'conditional';
  edge_label: string;
  condition_value: string;
  priority?: number;
}

export interface WorkflowDetail extends Workflow {
  nodes: WorkflowNode[];
  edges: WorkflowEdge[];
}

export interface Port {
  name: string;
  data_type: string;
  description?: string;
  required?: boolean;
}

/** JSON Schema, as much of it as the config form understands. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  description?: string;
  title?: string;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  required?: string[];
  minimum?: number;
  maximum?: number;
  [key: string]: unknown;
}

export interface NodeTypeSpec {
  component_type: string;
  display_name: string;
  description?: string;
  category: string;
  inputs: Port[];
  outputs: Port[];
  executable: boolean;
  is_trigger?: boolean;
  is_sub_component?: boolean;
  requires_model?: boolean;
  requires_tools?: boolean;
  requires_memory?: boolean;
  requires_output_parser?: boolean;
  requires_skills?: boolean;
  config_schema?: JsonSchema;
  palette?: { label: string; color: string; icon?: string };
}

export type NodeTypes = Record<string, NodeTypeSpec>;

export interface User {
  id: number;
  username: string;
  role: 'admin' | 'normal';
  first_name: string;
  last_name: string;
  created_at: string;
  mfa_enabled: boolean;
  key_count: number;
}

export interface ApiKey {
  id: number;
  name: string;
  prefix: string;
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
  is_active: boolean;
}

export type ExecutionStatus = 'pending' | 'running' | 'interrupted' | 'completed' | 'failed' | 'cancelled';

export interface Execution {
  execution_id: string;
  workflow_slug: string;
  status: ExecutionStatus;
  error_message?: string | null;
  started_at: string | null;
  completed_at: string | null;
}

export interface ExecutionLog {
  id: number;
  node_id: string;
  status: string;
  duration_ms: number | null;
  timestamp: string;
  output: unknown;
  error?: string | null;
}

export interface ExecutionDetail extends Execution {
  trigger_payload: unknown;
  final_output: unknown;
  logs: ExecutionLog[];
}

export interface MfaSetup {
  secret: string;
  provisioning_uri: string;
  qr_svg?: string;
  qr_data_url?: string;
}

export interface ValidationResult {
  valid: boolean;
  errors: string[];
}
