/**
 * Episodic memory: one episode per execution whose end user is known (spec §11.1). It is opened
 * when a memory node or tool first runs in the execution, and completed — final output, success,
 * duration and a short deterministic summary — once the execution has finished. Completion is lazy
 * (`completeFinishedEpisodes`, run before every episode read) because the engine has no
 * end-of-execution hook for features; `recordExecutionEpisode` is that hook when the engine grows one.
 */
import { randomUUID } from 'node:crypto';
import { type Kysely, type Selectable, sql } from 'kysely';
import type { Database } from '../db/schema.js';
import type { MemoryEpisodesTable } from '../db/tables/memory.js';
import { fromJson, nowIso, toJson } from '../db/values.js';
import { likePattern } from './facts.js';
import type { MemoryScope } from './memory-scope.js';

export type EpisodeRow = Selectable<MemoryEpisodesTable>;

const clip = (text: string, n: number) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > n ? `${flat.slice(0, n - 1)}…` : flat;
};

/** The text a person sent: `text` of chat/gateway/manual payloads, or of a webhook body. */
export function triggerText(trigger: Record<string, unknown>): string {
  if (typeof trigger.text === 'string' && trigger.text) return trigger.text;
  const body = trigger.payload;
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    for (const k of ['text', 'message', 'query', 'input'])
      if (typeof b[k] === 'string') return b[k] as string;
    return JSON.stringify(body);
  }
  if (typeof body === 'string') return body;
  return '';
}

/** The reply text of a final output (`{output}` of a reply/agent, else its JSON). */
export function outputText(final: unknown): string {
  if (final === null || final === undefined) return '';
  if (typeof final === 'string') return final;
  const out = (final as Record<string, unknown>).output;
  if (typeof out === 'string') return out;
  return JSON.stringify(out ?? final);
}

/** `User said: "…" → Replied: "…"` (or `→ Failed: …`); no LLM involved. */
export function summarize(
  trigger: Record<string, unknown>,
  end?: { success: boolean; final: unknown; error?: string | null },
): string {
  const said = clip(triggerText(trigger), 200);
  const head = said ? `User said: "${said}"` : 'Run without text input';
  if (!end) return head;
  if (!end.success) return `${head} → Failed: ${clip(end.error ?? 'unknown error', 200)}`;
  const replied = clip(outputText(end.final), 300);
  return replied ? `${head} → Replied: "${replied}"` : `${head} → Completed`;
}

/** Opens the execution's episode once (no-op when it exists or the end user is unknown). */
export async function ensureEpisode(s: MemoryScope): Promise<void> {
  if (!s.endUser) return;
  const exists = await s.db
    .selectFrom('memory_episodes')
    .select('id')
    .where('execution_id', '=', s.executionId)
    .executeTakeFirst();
  if (exists) return;
  try {
    await s.db
      .insertInto('memory_episodes')
      .values({
        id: randomUUID(),
        owner_id: s.ownerId,
        end_user_id: s.endUser.canonicalId,
        agent_id: s.agentId,
        session_id: s.sessionId,
        workflow_id: s.workflowId,
        execution_id: s.executionId,
        trigger_type: s.triggerType ?? s.endUser.channel,
        trigger_input: toJson(s.trigger),
        final_output: null,
        success: null,
        error_code: null,
        error_message: null,
        summary: summarize(s.trigger),
        started_at: s.startedAt,
        ended_at: null,
        duration_ms: null,
        created_at: nowIso(),
      })
      .execute();
  } catch (err) {
    // Two memory nodes of one execution raced: the other one opened it.
    if (!/unique|duplicate/i.test(String((err as Error).message))) throw err;
  }
}

const FINISHED = ['completed', 'failed', 'cancelled'] as const;

/** Completes open episodes whose execution has finished (all of them, one owner's, or one execution's). */
export async function completeFinishedEpisodes(
  db: Kysely<Database>,
  ownerId?: number,
  executionId?: string,
): Promise<number> {
  let q = db
    .selectFrom('memory_episodes')
    .innerJoin('executions', 'executions.execution_id', 'memory_episodes.execution_id')
    .select([
      'memory_episodes.id',
      'memory_episodes.trigger_input',
      'memory_episodes.started_at',
      'executions.status',
      'executions.final_output',
      'executions.error_message',
      'executions.error_code',
      'executions.completed_at',
    ])
    .where('memory_episodes.ended_at', 'is', null)
    .where('executions.status', 'in', [...FINISHED]);
  if (ownerId !== undefined) q = q.where('memory_episodes.owner_id', '=', ownerId);
  if (executionId !== undefined) q = q.where('memory_episodes.execution_id', '=', executionId);
  const rows = await q.limit(500).execute();
  for (const r of rows) {
    const success = r.status === 'completed';
    const final = fromJson<unknown>(r.final_output, null);
    const ended = r.completed_at ?? nowIso();
    await db
      .updateTable('memory_episodes')
      .set({
        final_output: r.final_output,
        success,
        error_code: success ? null : (r.error_code ?? r.status),
        error_message: success ? null : r.error_message,
        summary: summarize(fromJson(r.trigger_input, {}), {
          success,
          final,
          error: r.error_message ?? r.status,
        }),
        ended_at: ended,
        duration_ms: Math.max(0, Date.parse(ended) - Date.parse(r.started_at)) || 0,
      })
      .where('id', '=', r.id)
      .execute();
  }
  return rows.length;
}

/** Opens and, when the execution has finished, completes the episode of one execution. */
export async function recordExecutionEpisode(s: MemoryScope): Promise<void> {
  await ensureEpisode(s);
  await completeFinishedEpisodes(s.db, s.ownerId);
}

/** The end user's recent episodes (this owner only), newest first; `query` filters summaries. */
export async function recentEpisodes(s: MemoryScope, opts: { limit?: number; query?: string } = {}) {
  if (!s.endUser) return [];
  await completeFinishedEpisodes(s.db, s.ownerId);
  let q = s.db
    .selectFrom('memory_episodes')
    .selectAll()
    .where('owner_id', '=', s.ownerId)
    .where('end_user_id', '=', s.endUser.canonicalId)
    .where('execution_id', '!=', s.executionId);
  if (opts.query)
    q = q.where((eb) => eb(eb.fn('lower', ['summary']), 'like', likePatternEscaped(opts.query!)));
  return q
    .orderBy('started_at', 'desc')
    .limit(opts.limit ?? 5)
    .execute();
}

/** Summaries are searched with the same normalisation as facts (escape char `!`). */
const likePatternEscaped = (query: string) => sql<string>`${likePattern(query)} escape '!'`;
