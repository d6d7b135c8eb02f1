/** API shapes of memory rows (spec §4.12); `user_id` is the end user's canonical id. */
import type { Selectable } from 'kysely';
import type { MemoryEpisodesTable, MemoryFactsTable, MemoryUsersTable } from '../../db/tables/memory.js';
import { fromJson, toBool } from '../../db/values.js';
import { type ProcedureRow, successRate } from '../../memory/procedures.js';

export const factOut = (r: Selectable<MemoryFactsTable>) => ({
  id: r.id,
  owner_id: r.owner_id,
  scope: r.scope,
  agent_id: r.agent_id || null,
  user_id: r.end_user_id || null,
  key: r.key,
  value: fromJson<unknown>(r.value, r.value),
  fact_type: r.fact_type,
  confidence: Number(r.confidence),
  times_confirmed: r.times_confirmed,
  access_count: r.access_count,
  created_at: r.created_at,
  updated_at: r.updated_at,
});

export const episodeOut = (r: Selectable<MemoryEpisodesTable>) => ({
  id: r.id,
  owner_id: r.owner_id,
  agent_id: r.agent_id,
  user_id: r.end_user_id || null,
  execution_id: r.execution_id,
  trigger_type: r.trigger_type,
  success: r.success === null ? null : toBool(r.success),
  error_code: r.error_code,
  summary: r.summary,
  started_at: r.started_at,
  ended_at: r.ended_at,
  duration_ms: r.duration_ms,
  created_at: r.created_at,
});

export const procedureOut = (r: ProcedureRow) => ({
  id: r.id,
  owner_id: r.owner_id,
  agent_id: r.agent_id,
  user_id: r.end_user_id || null,
  name: r.name,
  description: r.description,
  procedure_type: r.procedure_type,
  times_used: r.times_used,
  times_succeeded: r.times_succeeded,
  times_failed: r.times_failed,
  success_rate: successRate(r),
  is_active: toBool(r.is_active),
  created_at: r.created_at,
});

export const memoryUserOut = (r: Selectable<MemoryUsersTable>) => ({
  id: r.id,
  owner_id: r.owner_id,
  canonical_id: r.canonical_id,
  display_name: r.display_name,
  telegram_id: r.telegram_id,
  email: r.email,
  total_conversations: r.total_conversations,
  last_seen_at: r.last_seen_at,
  created_at: r.created_at,
});
