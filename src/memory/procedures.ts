/**
 * Procedural memory (spec §11.2): a procedure matches a goal when one of its `goal_contains`
 * keywords appears in it and every `context_has` key is present; empty conditions never match.
 * Only the owner's procedures, shared or of this end user, are considered.
 */
import type { Selectable } from 'kysely';
import type { MemoryProceduresTable } from '../db/tables/memory.js';
import { fromJson } from '../db/values.js';
import type { MemoryScope } from './memory-scope.js';

export type ProcedureRow = Selectable<MemoryProceduresTable>;

export function procedureMatches(
  row: ProcedureRow,
  goal: string,
  context: Record<string, unknown> = {},
): boolean {
  const cond = fromJson<{ goal_contains?: unknown; context_has?: unknown }>(row.trigger_conditions, {});
  const words = Array.isArray(cond.goal_contains) ? cond.goal_contains.map(String).filter(Boolean) : [];
  const keys = Array.isArray(cond.context_has) ? cond.context_has.map(String).filter(Boolean) : [];
  if (!words.length && !keys.length) return false;
  const g = goal.toLowerCase();
  if (words.length && !words.some((w) => g.includes(w.toLowerCase()))) return false;
  return keys.every((k) => k in context);
}

export async function findProcedure(s: MemoryScope, goal: string): Promise<ProcedureRow | null> {
  const rows = await s.db
    .selectFrom('memory_procedures')
    .selectAll()
    .where('owner_id', '=', s.ownerId)
    .where('end_user_id', 'in', ['', s.endUser?.canonicalId ?? ''])
    .where((eb) => eb.or([eb('agent_id', '=', ''), eb('agent_id', '=', s.agentId)]))
    .orderBy('created_at', 'desc')
    .execute();
  return rows.find((r) => Boolean(r.is_active) && procedureMatches(r, goal)) ?? null;
}

/** `succeeded / used`, or 0.5 for a procedure never used. */
export const successRate = (r: Pick<ProcedureRow, 'times_used' | 'times_succeeded'>) =>
  r.times_used > 0 ? r.times_succeeded / r.times_used : 0.5;
