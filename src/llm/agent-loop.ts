/**
 * The agent loop shared by `agent` and `deep_agent`: call the model, run the tools it asks for, feed
 * the results back, until it answers without tool calls or `maxSteps` is reached. Before every model
 * call the execution's budget is checked; text is streamed as `chat_token` events; every finished
 * step is appended to conversation memory (when enabled). A `spawn_and_await` call suspends the loop:
 * its state is saved and the engine starts the children, then re-runs the node with their results.
 */
import type { ModelMessage } from 'ai';
import { fromJson, nowIso, toJson } from '../db/values.js';
import type { ChildRequest } from '../nodes/define-node.js';
import type { AiNodeContext } from './ai-node-context.js';
import { callModel } from './call-model.js';
import { messageText, runThreadId } from './conversation-store.js';
import type { ResolvedModel } from './resolve-model.js';
import { SpawnInputError, spawnRequests } from './tools/spawn-and-await.js';
import type { AgentTool } from './tools/types.js';
import type { UsageMeter } from './usage-meter.js';

export interface AgentLoopInput {
  ai: AiNodeContext;
  resolved: ResolvedModel;
  system: string;
  /** Conversation so far, ending with the new user message. */
  messages: ModelMessage[];
  tools: AgentTool[];
  maxSteps: number;
  meter: UsageMeter;
  signal: AbortSignal;
  emit(type: string, data: Record<string, unknown>): void;
  /** Appends finished messages to conversation memory (no-op without memory). */
  persist(messages: ModelMessage[]): Promise<void>;
  /** Context window in tokens (messages are trimmed to fit). */
  contextWindow: number;
  /** Stream `chat_token` events (default true). */
  stream?: boolean;
}

export type AgentLoopOutcome =
  | { kind: 'done'; text: string; messages: ModelMessage[] }
  | { kind: 'spawn'; children: ChildRequest[] };

interface SavedRun {
  messages: ModelMessage[];
  /** Results of the other tool calls of the suspended step. */
  results: Array<Record<string, unknown>>;
  spawnCall: { toolCallId: string; toolName: string };
  usage: ReturnType<UsageMeter['usage']>;
  steps: number;
  startIndex: number;
}

const toolResult = (toolCallId: string, toolName: string, value: string) => ({
  type: 'tool-result',
  toolCallId,
  toolName,
  output: { type: 'text', value },
});

/** Rough token estimate (4 characters per token), enough to keep a conversation inside the window. */
const estimate = (m: ModelMessage) => Math.ceil(JSON.stringify(m.content).length / 4) + 4;

/** Keeps the newest messages that fit, starting on a user message (never splitting a tool exchange). */
export function trimToWindow(messages: ModelMessage[], budgetTokens: number): ModelMessage[] {
  if (budgetTokens <= 0) return messages;
  let total = 0;
  let start = messages.length;
  for (let i = messages.length - 1; i >= 0; i--) {
    total += estimate(messages[i]);
    if (total > budgetTokens) break;
    start = i;
  }
  while (start < messages.length - 1 && messages[start].role !== 'user') start++;
  return start === 0 ? messages : messages.slice(start);
}

export async function saveRunState(ai: AiNodeContext, state: SavedRun): Promise<void> {
  const thread = runThreadId(ai.execution.id, ai.nodeId);
  await ai.db.deleteFrom('conversation_messages').where('thread_id', '=', thread).execute();
  await ai.db
    .insertInto('conversation_messages')
    .values({
      thread_id: thread,
      role: 'system',
      content: toJson(state),
      text: '',
      execution_id: ai.execution.id,
      created_at: nowIso(),
    })
    .execute();
}

export async function takeRunState(ai: AiNodeContext): Promise<SavedRun | null> {
  const thread = runThreadId(ai.execution.id, ai.nodeId);
  const row = await ai.db
    .selectFrom('conversation_messages')
    .select('content')
    .where('thread_id', '=', thread)
    .executeTakeFirst();
  if (!row) return null;
  await ai.db.deleteFrom('conversation_messages').where('thread_id', '=', thread).execute();
  return fromJson<SavedRun | null>(row.content, null);
}

/** Runs the loop, or resumes it after a spawn with the children's results. */
export async function runAgentLoop(
  input: AgentLoopInput,
  resume?: { state: SavedRun; childResults: unknown[] },
): Promise<AgentLoopOutcome> {
  const { ai, resolved, tools, meter, signal } = input;
  let messages = [...input.messages];
  let startIndex = messages.length - 1;
  let steps = 0;
  if (resume) {
    messages = resume.state.messages;
    startIndex = resume.state.startIndex;
    steps = resume.state.steps;
    const toolMessage = {
      role: 'tool',
      content: [
        ...resume.state.results,
        toolResult(
          resume.state.spawnCall.toolCallId,
          resume.state.spawnCall.toolName,
          JSON.stringify(resume.childResults),
        ),
      ],
    } as ModelMessage;
    messages.push(toolMessage);
    await input.persist([toolMessage]);
  }
  const byName = new Map(tools.map((t) => [t.name, t]));
  const declarations = tools.map((t) => ({
    name: t.name,
    description: t.description,
    parameters: t.parameters,
  }));
  const reserve = resolved.settings.maxOutputTokens ?? Math.min(16_384, Math.floor(input.contextWindow / 4));
  const windowBudget = input.contextWindow - reserve - 512 - Math.ceil(input.system.length / 4);
  let lastText = '';

  while (steps < input.maxSteps) {
    steps += 1;
    await meter.checkBudget();
    const step = await callModel({
      model: resolved.model,
      system: input.system,
      messages: trimToWindow(messages, windowBudget),
      tools: declarations,
      settings: resolved.settings,
      signal,
      timeoutMs: resolved.timeoutMs,
      retry: resolved.retry,
      onDelta: input.stream === false ? undefined : (delta) => input.emit('chat_token', { delta }),
      onRetry: (info) => ai.deps.log.warn({ node_id: ai.nodeId, ...info }, 'LLM call failed; retrying'),
    });
    await meter.record(resolved.modelName, step.inputTokens, step.outputTokens);
    if (step.text) lastText = step.text;
    messages.push(step.message);
    await input.persist([step.message]);
    if (step.toolCalls.length === 0) {
      return { kind: 'done', text: step.text || lastText, messages: messages.slice(startIndex) };
    }

    const results: Array<Record<string, unknown>> = [];
    let spawn: { call: (typeof step.toolCalls)[number]; children: ChildRequest[] } | null = null;
    for (const call of step.toolCalls) {
      meter.toolInvocations += 1;
      const t = byName.get(call.toolName);
      const args = (call.input && typeof call.input === 'object' ? call.input : {}) as Record<
        string,
        unknown
      >;
      if (!t) {
        results.push(toolResult(call.toolCallId, call.toolName, `Error: unknown tool '${call.toolName}'`));
        continue;
      }
      if (t.spawn) {
        try {
          if (ai.execution.depth >= 3)
            throw new SpawnInputError('Spawn depth limit reached (3). Cannot spawn further child workflows.');
          if (spawn) throw new SpawnInputError('spawn_and_await: only one spawn per step');
          spawn = { call, children: spawnRequests(args) };
        } catch (err) {
          results.push(toolResult(call.toolCallId, call.toolName, (err as Error).message));
        }
        continue;
      }
      const toolEvent = {
        node_id: t.nodeId ?? ai.nodeId,
        is_tool_call: true,
        tool_name: t.name,
        parent_node_id: ai.nodeId,
      };
      input.emit('node_status', { ...toolEvent, status: 'running' });
      let value: string;
      try {
        value = await t.execute(args, { signal });
        input.emit('node_status', { ...toolEvent, status: 'success' });
      } catch (err) {
        if (signal.aborted) throw err;
        value = `Error: ${(err as Error).message}`;
        input.emit('node_status', {
          ...toolEvent,
          status: 'failed',
          error: (err as Error).message.slice(0, 500),
        });
      }
      results.push(toolResult(call.toolCallId, call.toolName, value));
    }
    if (spawn) {
      await saveRunState(ai, {
        messages,
        results,
        spawnCall: { toolCallId: spawn.call.toolCallId, toolName: spawn.call.toolName },
        usage: meter.usage(),
        steps,
        startIndex,
      });
      return { kind: 'spawn', children: spawn.children };
    }
    const toolMessage = { role: 'tool', content: results } as ModelMessage;
    messages.push(toolMessage);
    await input.persist([toolMessage]);
  }
  const text = lastText || `Stopped after ${input.maxSteps} steps without a final answer.`;
  return { kind: 'done', text, messages: messages.slice(startIndex) };
}

export { messageText };
