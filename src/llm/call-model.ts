/**
 * One model call (one step of an agent loop): streams the answer, collects tool calls and usage,
 * retries provider errors (retry.ts) as long as nothing was streamed to the user yet. Tools are
 * declared without `execute`, so the SDK never runs them: the agent loop does (budget checks,
 * spawn & await, memory writes between steps).
 */
import {
  type JSONSchema7,
  jsonSchema,
  type LanguageModel,
  type ModelMessage,
  streamText,
  type ToolSet,
  tool,
} from 'ai';
import { type RetryPolicy, withLlmRetries } from './retry.js';

export interface ToolDeclaration {
  name: string;
  description: string;
  /** JSON Schema of the arguments object. */
  parameters: Record<string, unknown>;
}

export interface ModelSettings {
  temperature?: number;
  maxOutputTokens?: number;
  topP?: number;
  frequencyPenalty?: number;
  presencePenalty?: number;
}

export interface ModelCall {
  model: LanguageModel;
  system?: string;
  messages: ModelMessage[];
  tools?: ToolDeclaration[];
  settings?: ModelSettings;
  signal: AbortSignal;
  timeoutMs: number;
  retry?: Partial<RetryPolicy>;
  /** Streamed text, as it arrives. */
  onDelta?: (delta: string) => void;
  onRetry?: (info: { attempt: number; delayMs: number; error: string }) => void;
}

export interface ToolCallRequest {
  toolCallId: string;
  toolName: string;
  input: unknown;
}

export interface ModelStep {
  text: string;
  toolCalls: ToolCallRequest[];
  inputTokens: number;
  outputTokens: number;
  /** The assistant message to append to the conversation. */
  message: ModelMessage;
}

function toolSet(tools: ToolDeclaration[] | undefined): ToolSet | undefined {
  if (!tools?.length) return undefined;
  const set: ToolSet = {};
  for (const t of tools) {
    set[t.name] = tool({ description: t.description, inputSchema: jsonSchema(t.parameters as JSONSchema7) });
  }
  return set;
}

export async function callModel(call: ModelCall): Promise<ModelStep> {
  let streamed = false;
  return withLlmRetries(
    async (signal) => {
      const result = streamText({
        model: call.model,
        system: call.system || undefined,
        messages: call.messages,
        tools: toolSet(call.tools),
        maxRetries: 0,
        abortSignal: signal,
        ...call.settings,
        onError: () => {},
      });
      let text = '';
      const toolCalls: ToolCallRequest[] = [];
      let inputTokens = 0;
      let outputTokens = 0;
      for await (const part of result.fullStream) {
        switch (part.type) {
          case 'text-delta':
            text += part.text;
            if (part.text) {
              streamed = true;
              call.onDelta?.(part.text);
            }
            break;
          case 'tool-call':
            toolCalls.push({ toolCallId: part.toolCallId, toolName: part.toolName, input: part.input });
            break;
          case 'finish-step':
            inputTokens += part.usage.inputTokens ?? 0;
            outputTokens += part.usage.outputTokens ?? 0;
            break;
          case 'error':
            throw part.error;
          case 'abort':
            throw signal.reason ?? new Error('aborted');
        }
      }
      const content: Array<Record<string, unknown>> = [];
      if (text) content.push({ type: 'text', text });
      for (const c of toolCalls) content.push({ type: 'tool-call', ...c });
      const message = { role: 'assistant', content } as unknown as ModelMessage;
      return { text, toolCalls, inputTokens, outputTokens, message };
    },
    {
      signal: call.signal,
      timeoutMs: call.timeoutMs,
      policy: call.retry,
      canRetry: () => !streamed,
      onRetry: call.onRetry,
    },
  );
}
