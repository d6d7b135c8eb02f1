/**
 * Credential test and model listing (spec §9.2), through the guarded HTTP client with 15 s timeouts.
 * Answers never contain the key; provider error bodies are cut to 500 characters.
 */
import type { Settings } from '../config.js';
import { gatewayAdmin } from '../gateway/gateway-client.js';
import { createGuardedFetch } from '../sandbox/guarded-http.js';
import type { LoadedCredential } from './credential-store.js';
import {
  ANTHROPIC_DEFAULT_BASE,
  GLM_DEFAULT_BASE,
  isAnthropicNative,
  OPENAI_DEFAULT_BASE,
  providerInfo,
} from './providers.js';

const ANTHROPIC_FALLBACK = [
  'claude-opus-4-6',
  'claude-sonnet-4-6',
  'claude-sonnet-4-20250514',
  'claude-opus-4-0-20250514',
  'claude-haiku-4-5-20251001',
  'claude-3-5-sonnet-20241022',
];
const MINIMAX_FALLBACK = [
  'MiniMax-M2.5',
  'MiniMax-M2.5-highspeed',
  'MiniMax-M2.1',
  'MiniMax-M2.1-highspeed',
  'MiniMax-M2',
];

const scrub = (text: string, secret: string) => (secret ? text.split(secret).join('****') : text);

function modelsBase(c: LoadedCredential): string {
  const p = providerInfo(c);
  if (p.baseUrl) return p.baseUrl;
  return p.providerType === 'glm' ? GLM_DEFAULT_BASE : OPENAI_DEFAULT_BASE;
}

export async function testCredential(
  settings: Settings,
  c: LoadedCredential,
): Promise<{ ok: boolean; error: string; detail?: unknown }> {
  if (c.type === 'gateway') {
    try {
      const health = (await gatewayAdmin(settings, 'GET', '/admin/health')) as {
        adapters?: Array<Record<string, unknown>>;
      };
      const gid = String(c.detail.gateway_credential_id ?? c.name);
      const entry = health?.adapters?.find((a) => a.credential_id === gid);
      return entry
        ? { ok: true, error: '', detail: entry }
        : { ok: false, error: '', detail: 'not found in gateway' };
    } catch (err) {
      return { ok: false, error: (err as Error).message };
    }
  }
  if (c.type !== 'llm') return { ok: false, error: 'Only LLM and gateway credentials can be tested.' };
  const p = providerInfo(c);
  const fetch = createGuardedFetch({ allowlist: settings.outboundAllowlist ?? [] });
  const signal = AbortSignal.timeout(15_000);
  try {
    let res: Response;
    if (isAnthropicNative(p)) {
      res = await fetch(
        `${p.baseUrl ? `${p.baseUrl.replace(/\/v1$/, '')}/v1` : ANTHROPIC_DEFAULT_BASE}/messages`,
        {
          method: 'POST',
          headers: {
            'x-api-key': p.apiKey,
            'anthropic-version': '2023-06-01',
            'content-type': 'application/json',
          },
          body: JSON.stringify({
            model: 'claude-haiku-4-5-20251001',
            max_tokens: 1,
            messages: [{ role: 'user', content: 'hi' }],
          }),
          signal,
        },
      );
    } else {
      res = await fetch(`${modelsBase(c)}/models`, {
        headers: { authorization: `Bearer ${p.apiKey}`, ...p.headers },
        signal,
      });
    }
    if (res.status === 401 || res.status === 403)
      return { ok: false, error: 'Authentication failed - invalid API key' };
    if (res.status >= 400) return { ok: false, error: scrub((await res.text()).slice(0, 500), p.apiKey) };
    await res.body?.cancel().catch(() => {});
    return { ok: true, error: '' };
  } catch (err) {
    return { ok: false, error: scrub((err as Error).message, p.apiKey).slice(0, 500) };
  }
}

export async function listModels(
  settings: Settings,
  c: LoadedCredential,
): Promise<Array<{ id: string; name: string }>> {
  const p = providerInfo(c);
  const fetch = createGuardedFetch({ allowlist: settings.outboundAllowlist ?? [] });
  const signal = AbortSignal.timeout(15_000);
  const asList = (ids: string[]) => [...new Set(ids)].sort().map((id) => ({ id, name: id }));
  if (isAnthropicNative(p)) {
    try {
      const base = p.baseUrl ? `${p.baseUrl.replace(/\/v1$/, '')}/v1` : ANTHROPIC_DEFAULT_BASE;
      const res = await fetch(`${base}/models?limit=100`, {
        headers: { 'x-api-key': p.apiKey, 'anthropic-version': '2023-06-01' },
        signal,
      });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const data = (await res.json()) as { data?: Array<{ id?: string }> };
      return asList((data.data ?? []).flatMap((m) => (m.id ? [m.id] : [])));
    } catch {
      return asList(ANTHROPIC_FALLBACK);
    }
  }
  try {
    const res = await fetch(`${modelsBase(c)}/models`, {
      headers: { authorization: `Bearer ${p.apiKey}`, ...p.headers },
      signal,
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const data = (await res.json()) as unknown;
    const items = Array.isArray(data) ? data : ((data as { data?: unknown[] })?.data ?? []);
    return asList(
      items.flatMap((m) =>
        m && typeof m === 'object' && typeof (m as { id?: unknown }).id === 'string'
          ? [(m as { id: string }).id]
          : [],
      ),
    );
  } catch {
    return p.baseUrl.toLowerCase().includes('minimax') ? asList(MINIMAX_FALLBACK) : [];
  }
}
