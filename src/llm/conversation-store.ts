/**
 * Conversation memory in the main database (`conversation_messages`): one row per message of a
 * thread, written as each agent step finishes, so it survives restarts. A thread left with a tool
 * call that never got its result (a crash or cancel mid-step) is repaired when read — the missing
 * result is filled in — instead of the whole history being wiped (fix of §16.16).
 */
import type { ModelMessage } from 'ai';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { fromJson, nowIso, toJson } from '../db/values.js';
import { resolveEndUser } from '../memory/end-user.js';

export const INTERRUPTED_TOOL_RESULT = 'Error: this tool call was interrupted before it returned a result.';

/** Thread of a conversation-memory agent: per user and workflow, per chat when there is one. */
export function memoryThreadId(userId: number | null, workflowId: number, chatId?: unknown): string {
  const user = userId ?? 'anonymous';
  if (chatId !== undefined && chatId !== null && chatId !== '') return `${user}:${chatId}:${workflowId}`;
  return `${user}:${workflowId}`;
}

/**
 * The conversation thread of an execution: per chat when the trigger names one; webhook callers, who
 * all arrive with the platform key's user, are kept apart by their end user.
 */
export function conversationThreadFor(
  userId: number | null,
  workflowId: number,
  trigger: Record<string, unknown>,
): string {
  const caller = resolveEndUser({ payload: trigger });
  const conversation = trigger.chat_id ?? (caller?.channel === 'webhook' ? caller.canonicalId : undefined);
  return memoryThreadId(userId, workflowId, conversation);
}

/** Scratch thread of one node run (state carried across a spawn & await). */
export const runThreadId = (executionId: string, nodeId: string) => `exec:${executionId}:${nodeId}`;

type Part = Record<string, unknown>;

/** Text of a message (text parts joined); '' for tool calls and results. */
export function messageText(m: ModelMessage): string {
  if (m.role === 'tool') return '';
  if (typeof m.content === 'string') return m.content;
  return (m.content as Part[])
    .filter((p) => p.type === 'text')
    .map((p) => String(p.text ?? ''))
    .join('');
}

/** Fills in missing tool results and drops orphaned ones, so providers accept the history. */
export function repairToolCalls(messages: ModelMessage[]): ModelMessage[] {
  const out: ModelMessage[] = [];
  let pending: Array<{ toolCallId: string; toolName: string }> = [];
  const flush = () => {
    if (!pending.length) return;
    out.push({
      role: 'tool',
      content: pending.map((c) => ({
        type: 'tool-result',
        toolCallId: c.toolCallId,
        toolName: c.toolName,
        output: { type: 'text', value: INTERRUPTED_TOOL_RESULT },
      })),
    } as ModelMessage);
    pending = [];
  };
  for (const m of messages) {
    if (m.role === 'tool') {
      const parts = (m.content as Part[]).filter((p) => pending.some((c) => c.toolCallId === p.toolCallId));
      if (!parts.length) continue;
      pending = pending.filter((c) => !parts.some((p) => p.toolCallId === c.toolCallId));
      out.push({ ...m, content: parts } as ModelMessage);
      continue;
    }
    flush();
    out.push(m);
    if (m.role === 'assistant' && Array.isArray(m.content)) {
      pending = (m.content as Part[])
        .filter((p) => p.type === 'tool-call')
        .map((p) => ({ toolCallId: String(p.toolCallId), toolName: String(p.toolName) }));
    }
  }
  flush();
  return out;
}

export async function loadThread(db: Kysely<Database>, threadId: string): Promise<ModelMessage[]> {
  const rows = await db
    .selectFrom('conversation_messages')
    .select(['content'])
    .where('thread_id', '=', threadId)
    .orderBy('id')
    .execute();
  return repairToolCalls(rows.map((r) => fromJson<ModelMessage>(r.content, { role: 'user', content: '' })));
}

export async function appendMessages(
  db: Kysely<Database>,
  threadId: string,
  messages: ModelMessage[],
  executionId: string | null,
): Promise<void> {
  for (const m of messages) {
    await db
      .insertInto('conversation_messages')
      .values({
        thread_id: threadId,
        role: m.role,
        content: toJson(m),
        text: messageText(m),
        execution_id: executionId,
        created_at: nowIso(),
      })
      .execute();
  }
}

export async function deleteThread(db: Kysely<Database>, threadId: string): Promise<void> {
  await db.deleteFrom('conversation_messages').where('thread_id', '=', threadId).execute();
}

export interface ChatHistoryMessage {
  role: 'user' | 'assistant';
  text: string;
  timestamp: string;
}

/** The visible messages of a thread (no tool traffic, no empty answers), the last `limit` before `before`. */
export async function chatHistory(
  db: Kysely<Database>,
  threadId: string,
  limit: number,
  before?: string,
): Promise<{ messages: ChatHistoryMessage[]; has_more: boolean }> {
  let q = db
    .selectFrom('conversation_messages')
    .select(['role', 'text', 'created_at'])
    .where('thread_id', '=', threadId)
    .where('role', 'in', ['user', 'assistant'])
    .where('text', '!=', '');
  if (before) q = q.where('created_at', '<', before);
  const rows = await q
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  const has_more = rows.length > limit;
  const messages = rows
    .slice(0, limit)
    .reverse()
    .map((r) => ({ role: r.role as 'user' | 'assistant', text: r.text, timestamp: r.created_at }));
  return { messages, has_more };
}
