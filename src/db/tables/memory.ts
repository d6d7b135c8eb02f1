/**
 * Agent memory (spec §11): facts, episodes, procedures and known end users. Every row carries the
 * workflow owner (`owner_id`) and the end user (`end_user_id` = `<channel>:<id>`, '' when the row is
 * not about one end user). Ids are UUID strings.
 */
import type { Bool } from '../schema.js';

export interface MemoryUsersTable {
  id: string;
  owner_id: number;
  canonical_id: string;
  channel: string;
  display_name: string | null;
  telegram_id: string | null;
  telegram_username: string | null;
  email: string | null;
  merged_into_id: string | null;
  /** JSON object. */
  preferences_cache: string;
  total_conversations: number;
  last_conversation_at: string | null;
  first_seen_at: string;
  last_seen_at: string;
  created_at: string;
  updated_at: string;
}

export type FactScope = 'session' | 'user' | 'agent' | 'global';

export interface MemoryFactsTable {
  id: string;
  owner_id: number;
  end_user_id: string;
  scope: FactScope;
  /** `workflow:<workflow_id>` for agent-scoped facts. */
  agent_id: string;
  session_id: string;
  key: string;
  /** JSON value. */
  value: string;
  fact_type: string;
  confidence: number;
  times_confirmed: number;
  times_contradicted: number;
  source_episode_id: string | null;
  source_description: string | null;
  access_count: number;
  last_accessed: string | null;
  created_at: string;
  updated_at: string;
}

export interface MemoryEpisodesTable {
  id: string;
  owner_id: number;
  end_user_id: string;
  agent_id: string;
  session_id: string;
  workflow_id: number | null;
  execution_id: string;
  trigger_type: string;
  /** JSON of the trigger payload. */
  trigger_input: string | null;
  /** JSON of the execution's final output (set when the execution has finished). */
  final_output: string | null;
  success: Bool | null;
  error_code: string | null;
  error_message: string | null;
  /** Short deterministic summary (trigger text → final output), searched by `recall`. */
  summary: string;
  started_at: string;
  ended_at: string | null;
  duration_ms: number | null;
  created_at: string;
}

export interface MemoryProceduresTable {
  id: string;
  owner_id: number;
  end_user_id: string;
  agent_id: string;
  name: string;
  description: string;
  /** JSON `{goal_contains?: string[], context_has?: string[]}`. */
  trigger_conditions: string;
  procedure_type: 'workflow_graph' | 'prompt_template' | 'code_snippet' | 'tool_sequence';
  procedure_content: string;
  times_used: number;
  times_succeeded: number;
  times_failed: number;
  avg_duration_ms: number;
  last_used_at: string | null;
  source: 'human_taught' | 'self_learned' | 'evolved';
  parent_procedure_id: string | null;
  is_active: Bool;
  created_at: string;
  updated_at: string;
}

export interface MemoryTables {
  memory_users: MemoryUsersTable;
  memory_facts: MemoryFactsTable;
  memory_episodes: MemoryEpisodesTable;
  memory_procedures: MemoryProceduresTable;
}
