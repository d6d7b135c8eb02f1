/**
 * Categorizer (spec §8.4): one LLM call over the last message; the category becomes the node's route
 * (conditional edges from the categorizer carry the category names).
 */
import type { ModelMessage } from 'ai';
import type { NodeResult, NodeRunContext } from '../nodes/define-node.js';
import type { Services } from '../services.js';
import { loadAiNodeContext } from './ai-node-context.js';
import { callModel } from './call-model.js';
import { parseJsonLoose } from './output-parser.js';
import { resolveModel } from './resolve-model.js';
import { agentInputText } from './run-agent.js';
import { UsageMeter } from './usage-meter.js';

export interface Category {
  name: string;
  description: string;
}

export function categorizerPrompt(custom: string, categories: Category[]): string {
  const list = categories.map((c) => `- ${c.name}${c.description ? `: ${c.description}` : ''}`).join('\n');
  return [
    custom,
    'You are a message classifier. Classify the user message into exactly one of these categories:',
    list,
    'Respond with JSON only: {"category": "<name>"}',
  ]
    .filter(Boolean)
    .join('\n\n');
}

/** JSON → `"category": "…"` → a category name inside the text → the first category (spec §8.4). */
export function pickCategory(raw: string, categories: Category[]): string {
  if (!categories.length) return 'unknown';
  const names = categories.map((c) => c.name);
  const exact = (v: unknown) =>
    names.find(
      (n) =>
        n.toLowerCase() ===
        String(v ?? '')
          .trim()
          .toLowerCase(),
    );
  const parsed = parseJsonLoose(raw) as Record<string, unknown> | undefined;
  const fromJson = parsed && typeof parsed === 'object' ? exact(parsed.category) : undefined;
  if (fromJson) return fromJson;
  const m = /"category"\s*:\s*"([^"]*)"/i.exec(raw);
  if (m && exact(m[1])) return exact(m[1])!;
  const lower = raw.toLowerCase();
  const contained = [...names]
    .sort((a, b) => b.length - a.length)
    .find((n) => lower.includes(n.toLowerCase()));
  return contained ?? names[0];
}

export async function runCategorizer(
  ctx: NodeRunContext<{ categories: Category[]; input_template?: string | null } & Record<string, unknown>>,
): Promise<NodeResult> {
  const ai = await loadAiNodeContext(ctx.deps as Services, ctx.executionId, ctx.workflowSlug, ctx.nodeId);
  const resolved = await resolveModel(ai);
  const meter = new UsageMeter(ai);
  await meter.checkBudget();
  const text = agentInputText(ctx as never) || '(no message)';
  const step = await callModel({
    model: resolved.model,
    system: categorizerPrompt(ctx.nodeConfig.system_prompt, ctx.config.categories),
    messages: [{ role: 'user', content: text } as ModelMessage],
    settings: resolved.settings,
    signal: ctx.signal,
    timeoutMs: resolved.timeoutMs,
    retry: resolved.retry,
  });
  await meter.record(resolved.modelName, step.inputTokens, step.outputTokens);
  const category = pickCategory(step.text, ctx.config.categories);
  return { outputs: { category, raw: step.text }, route: category, tokenUsage: meter.usage() };
}
