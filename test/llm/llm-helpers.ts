/** Shared setup for the LLM tests: a credential pointing at the mock server and a seeded agent graph. */
import type { TestApp } from '../helpers/test-app.js';

export const PROVIDER_KEY = 'sk-mock-PLAINTEXT-key-7f3a9c2e51d8';

export async function createLlmCredential(
  t: TestApp,
  key: string,
  baseUrl: string,
  provider: 'openai' | 'anthropic' | 'openai_compatible' = 'openai',
): Promise<number> {
  const res = await t.call('POST', '/api/v1/credentials/', key, {
    name: `mock-${provider}-${Math.random().toString(36).slice(2, 6)}`,
    credential_type: 'llm',
    detail: { provider_type: provider, api_key: PROVIDER_KEY, base_url: baseUrl, organization_id: '' },
  });
  if (res.statusCode !== 201) throw new Error(`credential create failed: ${res.statusCode} ${res.body}`);
  return res.json().id as number;
}

export const modelNode = (credentialId: number, extra: Record<string, unknown> = {}) => ({
  id: 'model',
  type: 'ai_model',
  config: {
    llm_credential_id: credentialId,
    model_name: 'gpt-4o-mini',
    max_retries: 2,
    timeout: 5,
    ...extra,
  },
});
