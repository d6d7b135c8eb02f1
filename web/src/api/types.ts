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
  /** Workflow-level settings (the editor's Settings dialog). */
  max_execution_seconds?: number;
  save_policy?: SavePolicy;
  error_handler_workflow_id?: number | null;
  budget_tokens?: number | null;
  budget_usd?: number | null;
}

/** What finished executions keep (docs/operations.md). */
export type SavePolicy = 'all' | 'outputs' | 'failures' | 'metadata';

export type WorkflowSettings = Pick<
  Workflow,
  | 'name'
  | 'description'
  | 'is_active'
  | 'max_execution_seconds'
  | 'save_policy'
  | 'error_handler_workflow_id'
  | 'budget_tokens'
  | 'budget_usd'
>;

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
  /** Present on schedule triggers once a schedule exists for them. */
  schedule_job?: { id: string; status: string; next_run_at: string | null; run_count: number } | null;
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
  error_code?: string | null;
  trigger_node_id?: string | null;
  created_at?: string;
  started_at: string | null;
  completed_at: string | null;
  total_tokens?: number;
  total_input_tokens?: number;
  total_output_tokens?: number;
  total_cost_usd?: number;
  llm_calls?: number;
}

export interface ExecutionLog {
  id: number;
  node_id: string;
  component_type?: string;
  iteration?: string | null;
  status: string;
  duration_ms: number | null;
  started_at?: string | null;
  completed_at?: string | null;
  timestamp: string;
  input?: unknown;
  output: unknown;
  route?: string | null;
  error?: string | null;
  error_code?: string | null;
  input_tokens?: number;
  output_tokens?: number;
  cost_usd?: number;
  llm_calls?: number;
}

export interface PendingTask {
  task_id: string;
  node_id: string;
  /** The loop iteration that waits, e.g. `each:2` ('' or absent outside loops). */
  iteration?: string;
  prompt: string;
  created_at: string;
  expires_at: string | null;
}

export interface ExecutionDetail extends Execution {
  trigger_payload: unknown;
  final_output: unknown;
  logs: ExecutionLog[];
  pending_tasks?: PendingTask[];
}

export type CredentialType = 'llm' | 'gateway' | 'git' | 'tool';

export interface Credential {
  id: number;
  name: string;
  credential_type: CredentialType;
  detail: Record<string, unknown>;
  created_at: string;
  updated_at?: string;
}

export interface Schedule {
  id: string;
  name: string;
  description: string;
  workflow_id: number;
  trigger_node_id: string | null;
  interval_seconds: number;
  cron: string | null;
  timezone: string | null;
  status: string;
  run_count: number;
  error_count: number;
  last_run_at: string | null;
  next_run_at: string | null;
  last_error: string | null;
}

export type EnvVar =
  | { key: string; source: 'raw'; value?: string }
  | { key: string; source: 'credential'; credential_id: number; credential_field?: string };

export interface Workspace {
  id: number;
  name: string;
  path: string;
  allow_network: boolean;
  env_vars: EnvVar[];
  created_at: string;
}

export interface AuditEvent {
  id: number;
  action: string;
  actor_user_id: number | null;
  target?: string | null;
  ip?: string | null;
  created_at: string;
  details: Record<string, unknown>;
  [key: string]: unknown;
}

export interface ChatMessage {
  role: string;
  text?: string;
  content?: string;
  timestamp?: string;
  [key: string]: unknown;
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
