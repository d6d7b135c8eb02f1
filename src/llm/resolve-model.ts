/**
 * The model of an AI node (spec §9.3): the `ai_model` node wired in by an `llm` edge, its credential
 * (usable by the workflow's owner only) and its sampling settings, timeout and retries.
 */
import type { LanguageModel } from 'ai';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import type { AiNodeContext } from './ai-node-context.js';
import type { ModelSettings } from './call-model.js';
import { loadCredentialForOwner } from './credential-store.js';
import { createLanguageModel, type ProviderInfo, providerInfo } from './providers.js';
import type { RetryPolicy } from './retry.js';

export class ModelResolutionError extends Error {
  override name = 'ModelResolutionError';
  readonly code = 'model_resolution';
}

export interface ResolvedModel {
  model: LanguageModel;
  modelName: string;
  provider: ProviderInfo;
  settings: ModelSettings;
  timeoutMs: number;
  retry: Partial<RetryPolicy>;
  modelNodeId: string;
  /** ai_model `extra_config` (e.g. `use_native_search`). */
  extra: Record<string, unknown>;
}

export async function resolveModel(ctx: AiNodeContext): Promise<ResolvedModel> {
  const node = ctx.model;
  if (!node) {
    throw new ModelResolutionError(
      `Node '${ctx.nodeId}' has no connected ai_model node via edge_label='llm'.`,
    );
  }
  const c = node.config;
  if (!c.model_name || !c.llm_credential_id) {
    throw new ModelResolutionError(
      `Node '${node.nodeId}' (ai_model) requires both model_name and llm_credential on its config.`,
    );
  }
  const credential = await loadCredentialForOwner(
    ctx.db,
    ctx.deps.settings.fieldEncryptionKey,
    c.llm_credential_id,
    ctx.workflow.ownerId,
    'llm',
  ).catch((err: Error) => {
    throw new ModelResolutionError(`${err.message} (ai_model '${node.nodeId}')`);
  });
  await recordAuditEvent(
    ctx.db,
    {
      actor_user_id: ctx.workflow.ownerId,
      action: 'credential.used',
      target: `credential:${credential.id}`,
      details: { workflow: ctx.workflow.slug, node_id: ctx.nodeId, execution_id: ctx.execution.id },
    },
    ctx.deps.log,
  );
  const provider = providerInfo(credential);
  const settings: ModelSettings = {};
  if (c.temperature !== null) settings.temperature = c.temperature;
  if (c.max_tokens !== null) settings.maxOutputTokens = c.max_tokens;
  if (c.top_p !== null) settings.topP = c.top_p;
  if (c.frequency_penalty !== null) settings.frequencyPenalty = c.frequency_penalty;
  if (c.presence_penalty !== null) settings.presencePenalty = c.presence_penalty;
  return {
    model: createLanguageModel(provider, c.model_name, ctx.deps.settings.outboundAllowlist ?? []),
    modelName: c.model_name,
    provider,
    settings,
    timeoutMs: Math.max(1, c.timeout ?? 120) * 1000,
    retry: { retries: Math.max(0, Math.min(10, c.max_retries ?? 3)) },
    modelNodeId: node.nodeId,
    extra: c.extra_config,
  };
}
