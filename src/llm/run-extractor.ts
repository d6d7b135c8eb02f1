/**
 * Extractor: asks the model for JSON matching `extraction_schema` (a JSON Schema), validates it, and
 * on invalid output tells the model what was wrong and asks again; after the last attempt it fails
 * with the validation error.
 */
import type { ModelMessage } from 'ai';
import { z } from 'zod';
import type { NodeResult, NodeRunContext } from '../nodes/define-node.js';
import type { Services } from '../services.js';
import { loadAiNodeContext } from './ai-node-context.js';
import { callModel } from './call-model.js';
import { parseJsonLoose } from './output-parser.js';
import { resolveModel } from './resolve-model.js';
import { agentInputText } from './run-agent.js';
import { UsageMeter } from './usage-meter.js';

export class ExtractionError extends Error {
  override name = 'ExtractionError';
  readonly code = 'extraction_failed';
}

export function validateAgainstSchema(schema: Record<string, unknown>, value: unknown): string | null {
  let zschema: z.ZodType;
  try {
    zschema = z.fromJSONSchema(schema as never);
  } catch (err) {
    throw new ExtractionError(`extraction_schema is not a usable JSON Schema: ${(err as Error).message}`);
  }
  const res = zschema.safeParse(value);
  if (res.success) return null;
  return res.error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

export async function runExtractor(
  ctx: NodeRunContext<
    { extraction_schema: Record<string, unknown>; max_attempts?: number } & Record<string, unknown>
  >,
): Promise<NodeResult> {
  const ai = await loadAiNodeContext(ctx.deps as Services, ctx.executionId, ctx.workflowSlug, ctx.nodeId);
  const resolved = await resolveModel(ai);
  const meter = new UsageMeter(ai);
  const schema = ctx.config.extraction_schema;
  const attempts = Math.max(1, Math.min(10, Number(ctx.config.max_attempts ?? 3)));
  const system = [
    ctx.nodeConfig.system_prompt,
    'Extract the requested data from the user message. Answer with one JSON value only (no prose, no code fence) that matches this JSON Schema:',
    JSON.stringify(schema),
  ]
    .filter(Boolean)
    .join('\n\n');
  const messages: ModelMessage[] = [{ role: 'user', content: agentInputText(ctx as never) } as ModelMessage];
  let problem = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    await meter.checkBudget();
    const step = await callModel({
      model: resolved.model,
      system,
      messages,
      settings: resolved.settings,
      signal: ctx.signal,
      timeoutMs: resolved.timeoutMs,
      retry: resolved.retry,
    });
    await meter.record(resolved.modelName, step.inputTokens, step.outputTokens);
    const value = parseJsonLoose(step.text);
    problem =
      value === undefined ? 'the answer is not valid JSON' : (validateAgainstSchema(schema, value) ?? '');
    if (!problem) return { outputs: { extracted: value }, tokenUsage: meter.usage() };
    messages.push(step.message, {
      role: 'user',
      content: `That answer is invalid (${problem}). Answer again with JSON matching the schema exactly.`,
    } as ModelMessage);
  }
  throw new ExtractionError(
    `Extractor: the model's output did not match extraction_schema after ${attempts} attempts: ${problem}`,
  );
}
