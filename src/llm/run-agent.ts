/**
 * Runs an `agent` or `deep_agent` node: resolves its model and tools, loads conversation memory,
 * runs the agent loop (or resumes it after spawn & await), applies a connected output parser and
 * reports token usage.
 */
import type { ModelMessage } from 'ai';
import type { NodeResult, NodeRunContext } from '../nodes/define-node.js';
import { createGuardedFetch } from '../sandbox/guarded-http.js';
import type { Services } from '../services.js';
import { runAgentLoop, takeRunState } from './agent-loop.js';
import { type AiNodeContext, loadAiNodeContext } from './ai-node-context.js';
import { contextWindowFor } from './context-window.js';
import { appendMessages, conversationThreadFor, loadThread, messageText } from './conversation-store.js';
import { applyOutputParser } from './output-parser.js';
import { type ResolvedModel, resolveModel } from './resolve-model.js';
import { buildTools } from './tools/index.js';
import type { AgentTool } from './tools/types.js';
import { findSearchCredential, webSearchFromBackend } from './tools/web-search.js';
import { UsageMeter } from './usage-meter.js';

export interface AgentNodeConfig {
  conversation_memory: boolean;
  input_template: string | null;
  workspace_id: number | null;
  context_window: number | null;
  max_steps: number;
  [key: string]: unknown;
}

/** The text the agent answers: the input template, else the nearest upstream text, else the trigger's. */
export function agentInputText(ctx: NodeRunContext<AgentNodeConfig>): string {
  if (ctx.config.input_template) return ctx.config.input_template;
  const inputs = Object.values(ctx.inputs).reverse();
  for (const out of inputs) {
    if (typeof out.output === 'string' && out.output) return out.output;
  }
  for (const out of inputs) {
    if (typeof out.text === 'string' && out.text) return out.text;
  }
  if (typeof ctx.trigger.text === 'string') return ctx.trigger.text;
  return JSON.stringify(ctx.trigger);
}

/** Extra tools and prompt of a deep agent (planning, files, sub-agents). */
export type AgentExtras = (
  ai: AiNodeContext,
  run: { resolved: ResolvedModel; meter: UsageMeter; emit: NodeRunContext<unknown>['emit'] },
) => Promise<{ tools: AgentTool[]; prompt: string }>;

export async function runAgentNode(
  ctx: NodeRunContext<AgentNodeConfig>,
  extras?: AgentExtras,
): Promise<NodeResult> {
  const deps = ctx.deps as Services;
  const ai = await loadAiNodeContext(deps, ctx.executionId, ctx.workflowSlug, ctx.nodeId);
  const resolved = await resolveModel(ai);
  const tools = await buildTools({ ai, agentConfig: ctx.config, log: ctx.log });
  if (!tools.some((t) => t.name === 'web_search')) {
    const backend = await findSearchCredential(
      ai.db,
      deps.settings.fieldEncryptionKey,
      ai.workflow.ownerId,
    ).catch(() => null);
    if (backend)
      tools.push(
        webSearchFromBackend(
          backend,
          createGuardedFetch({ allowlist: deps.settings.outboundAllowlist ?? [] }),
          5,
        ),
      );
  }
  const resumeState = ctx.childResults ? await takeRunState(ai) : null;
  const meter = new UsageMeter(ai, resumeState?.usage);
  let system = ctx.nodeConfig.system_prompt ?? '';
  if (extras) {
    const extra = await extras(ai, { resolved, meter, emit: ctx.emit });
    tools.push(...extra.tools);
    system = [extra.prompt, system].filter(Boolean).join('\n\n');
  }

  const memoryThread =
    ctx.config.conversation_memory && ai.execution.depth === 0
      ? conversationThreadFor(ai.execution.userId, ai.workflow.id, ctx.trigger)
      : null;
  const persist = async (messages: ModelMessage[]) => {
    if (memoryThread) await appendMessages(ai.db, memoryThread, messages, ai.execution.id);
  };

  let messages: ModelMessage[] = [];
  if (!resumeState) {
    const history = memoryThread ? await loadThread(ai.db, memoryThread) : [];
    const user = { role: 'user', content: agentInputText(ctx) } as ModelMessage;
    await persist([user]);
    messages = [...history, user];
  }
  const outcome = await runAgentLoop(
    {
      ai,
      resolved,
      system,
      messages,
      tools,
      maxSteps: ctx.config.max_steps,
      meter,
      signal: ctx.signal,
      emit: ctx.emit,
      persist,
      contextWindow: contextWindowFor(resolved.modelName, ctx.config.context_window),
    },
    resumeState && ctx.childResults ? { state: resumeState, childResults: ctx.childResults } : undefined,
  );
  if (outcome.kind === 'spawn') return { outputs: {}, children: outcome.children };

  const outputs: Record<string, unknown> = {
    messages: outcome.messages
      .filter((m) => (m.role === 'user' || m.role === 'assistant') && messageText(m))
      .map((m) => ({ role: m.role, content: messageText(m) })),
    output: outcome.text,
  };
  if (ai.outputParser) outputs.parsed = applyOutputParser(ai.outputParser, outcome.text);
  ctx.emit('chat_message', { role: 'assistant', text: outcome.text, thread_id: memoryThread });
  return { outputs, tokenUsage: meter.usage() };
}
