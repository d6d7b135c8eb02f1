/**
 * Executions and their durable state. A job message carries only an execution id; everything an
 * execution needs to resume after a crash is in these rows (ARCHITECTURE.md §3).
 */
import type { Generated } from 'kysely';

export type ExecutionStatus = 'pending' | 'running' | 'interrupted' | 'completed' | 'failed' | 'cancelled';
export type NodeRunStatus = 'pending' | 'running' | 'success' | 'failed' | 'skipped' | 'waiting';

export interface ExecutionsTable {
  execution_id: string;
  workflow_id: number;
  /** node_id of the trigger that fired (null for implicit sub-workflow children). */
  trigger_node_id: string | null;
  user_id: number | null;
  parent_execution_id: string | null;
  parent_node_id: string | null;
  root_execution_id: string | null;
  depth: number;
  thread_id: string;
  status: ExecutionStatus;
  trigger_payload: string;
  final_output: string | null;
  error_message: string | null;
  error_code: string | null;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  /** Wall-clock limit (started_at + max_execution_seconds). */
  deadline_at: string | null;
  /** Set while a worker runs the execution; refreshed every few seconds. */
  lease_owner: string | null;
  heartbeat_at: string | null;
  /** Suspended until this time (durable wait). */
  wake_at: string | null;
  /** How many times the reaper re-queued it after a lost worker. */
  recoveries: number;
  total_input_tokens: number;
  total_output_tokens: number;
  total_tokens: number;
  total_cost_usd: number;
  llm_calls: number;
}

export interface ExecutionNodesTable {
  id: Generated<number>;
  execution_id: string;
  node_id: string;
  /** '' outside loops; `<loop node id>:<index>` for loop body runs. */
  iteration: string;
  component_type: string;
  status: NodeRunStatus;
  input: string | null;
  output: string | null;
  route: string | null;
  error: string | null;
  error_code: string | null;
  /** JSON: warnings, token usage, child ids, wake time, resume input… */
  metadata: string | null;
  attempts: number;
  started_at: string | null;
  completed_at: string | null;
  duration_ms: number | null;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  llm_calls: number;
}

export interface PendingTasksTable {
  task_id: string;
  execution_id: string;
  node_id: string;
  /** The loop iteration the waiting node belongs to ('' for the main scope). */
  iteration: Generated<string>;
  user_id: number | null;
  chat_id: string | null;
  prompt: string;
  on_timeout: 'cancel' | 'confirm' | 'fail';
  created_at: string;
  expires_at: string;
}

export interface ExecutionTables {
  executions: ExecutionsTable;
  execution_nodes: ExecutionNodesTable;
  pending_tasks: PendingTasksTable;
}
