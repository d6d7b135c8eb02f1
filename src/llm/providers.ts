/**
 * Builds an AI SDK language model from an LLM credential and a model name (spec §9.1). Every
 * provider talks through the guarded HTTP client, so a credential's base URL cannot reach private
 * addresses unless the admin allow-list permits it (a local Ollama: OUTBOUND_ALLOWLIST=127.0.0.1).
 */
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { LanguageModel } from 'ai';
import { createGuardedFetch } from '../sandbox/guarded-http.js';
import { headersOf } from './credential-kinds.js';
import type { LoadedCredential } from './credential-store.js';

export const GLM_DEFAULT_BASE = 'https://api.z.ai/api/paas/v4';
export const OPENAI_DEFAULT_BASE = 'https://api.openai.com/v1';
export const ANTHROPIC_DEFAULT_BASE = 'https://api.anthropic.com/v1';

export interface ProviderInfo {
  providerType: 'openai' | 'anthropic' | 'glm' | 'openai_compatible';
  apiKey: string;
  baseUrl: string;
  organization: string;
  headers: Record<string, string>;
}

const trimSlash = (url: string) => url.replace(/\/+$/, '');

export function providerInfo(credential: LoadedCredential): ProviderInfo {
  const d = credential.detail;
  const providerType = (d.provider_type as ProviderInfo['providerType']) ?? 'openai_compatible';
  const base = typeof d.base_url === 'string' ? trimSlash(d.base_url.trim()) : '';
  return {
    providerType,
    apiKey: credential.secrets.api_key ?? '',
    baseUrl: base,
    organization: typeof d.organization_id === 'string' ? d.organization_id : '',
    headers: headersOf(credential.secrets.custom_headers),
  };
}

/** Anthropic's own API (native features such as server-side web search apply). */
export const isAnthropicNative = (p: ProviderInfo) =>
  p.providerType === 'anthropic' && (!p.baseUrl || p.baseUrl.includes('anthropic.com'));

export function createLanguageModel(
  info: ProviderInfo,
  modelName: string,
  allowlist: string[],
): LanguageModel {
  const fetch = createGuardedFetch({ allowlist });
  switch (info.providerType) {
    case 'anthropic':
      return createAnthropic({
        apiKey: info.apiKey,
        baseURL: info.baseUrl
          ? info.baseUrl.endsWith('/v1')
            ? info.baseUrl
            : `${info.baseUrl}/v1`
          : undefined,
        headers: info.headers,
        fetch,
      })(modelName);
    case 'openai':
      // The chat-completions wire format (`.chat`), as every OpenAI-compatible server speaks it.
      return createOpenAI({
        apiKey: info.apiKey,
        baseURL: info.baseUrl || undefined,
        organization: info.organization || undefined,
        headers: info.headers,
        fetch,
      }).chat(modelName);
    default:
      return createOpenAICompatible({
        name: info.providerType,
        baseURL: info.baseUrl || (info.providerType === 'glm' ? GLM_DEFAULT_BASE : OPENAI_DEFAULT_BASE),
        apiKey: info.apiKey || undefined,
        headers: info.headers,
        includeUsage: true,
        fetch,
      })(modelName);
  }
}
