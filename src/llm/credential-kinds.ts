/**
 * The four credential types: which fields are plain detail, which are secret, and how each is shown
 * (secrets masked). One table row per credential; `detail` and `secrets` are JSON (see the table).
 */
import { z } from 'zod';
import type { CredentialType } from '../db/tables/credentials.js';
import { isMaskedEcho, maskSecret, type SecretFields } from './credential-secrets.js';

export const PROVIDER_TYPES = ['openai', 'anthropic', 'glm', 'openai_compatible'] as const;
export type ProviderType = (typeof PROVIDER_TYPES)[number];
export const TOOL_TYPES = ['searxng', 'brave', 'tavily'] as const;

const ZHeaders = z.record(z.string(), z.string()).default({});

/** What clients may send as `detail`, per type (unknown keys ignored). */
export const ZDetailIn = {
  llm: z.looseObject({
    provider_type: z.enum(PROVIDER_TYPES).default('openai_compatible'),
    api_key: z.string().max(4096).default(''),
    base_url: z.string().max(2048).nullish(),
    organization_id: z.string().max(255).nullish(),
    custom_headers: z.union([ZHeaders, z.string()]).nullish(),
  }),
  gateway: z.looseObject({
    adapter_type: z.string().max(64).default('generic'),
    token: z.string().max(4096).default(''),
    config: z.record(z.string(), z.unknown()).nullish(),
  }),
  git: z.looseObject({
    provider: z.string().max(32).default('github'),
    credential_type: z.string().max(32).default('token'),
    username: z.string().max(255).default(''),
    ssh_private_key: z.string().max(20_000).default(''),
    access_token: z.string().max(4096).default(''),
    webhook_secret: z.string().max(4096).default(''),
  }),
  tool: z.looseObject({
    tool_type: z.string().max(32).default('searxng'),
    config: z.record(z.string(), z.unknown()).default({}),
    is_preferred: z.boolean().default(false),
    api_key: z.string().max(4096).default(''),
  }),
} as const;

export interface StoredCredential {
  detail: Record<string, unknown>;
  secrets: SecretFields;
}

const SECRET_FIELDS: Record<CredentialType, string[]> = {
  llm: ['api_key'],
  gateway: [],
  git: ['ssh_private_key', 'access_token', 'webhook_secret'],
  tool: ['api_key'],
};

function headersOf(value: unknown): Record<string, string> {
  if (!value) return {};
  if (typeof value === 'string') {
    try {
      const parsed = JSON.parse(value) as unknown;
      return parsed && typeof parsed === 'object' ? (parsed as Record<string, string>) : {};
    } catch {
      return {};
    }
  }
  return value as Record<string, string>;
}

/**
 * Merges client input into a stored credential (create: `current` empty). A secret sent back as its
 * mask keeps the stored value; an empty string clears it only on create.
 */
export function applyDetailInput(
  type: CredentialType,
  input: Record<string, unknown>,
  current: StoredCredential | null,
): StoredCredential {
  const partial = current !== null;
  const schema = ZDetailIn[type];
  const parsed = (partial ? schema.partial() : schema).parse(input) as Record<string, unknown>;
  const detail: Record<string, unknown> = { ...(current?.detail ?? {}) };
  const secrets: SecretFields = { ...(current?.secrets ?? {}) };
  for (const [key, value] of Object.entries(parsed)) {
    if (value === undefined) continue;
    if (SECRET_FIELDS[type].includes(key)) {
      const text = String(value ?? '');
      if (isMaskedEcho(text, secrets[key])) continue;
      if (text === '') delete secrets[key];
      else secrets[key] = text;
      continue;
    }
    if (type === 'gateway' && key === 'token') continue; // sent to the gateway, never stored
    if (type === 'llm' && key === 'custom_headers') {
      // Header values may carry keys: stored encrypted, shown masked.
      const incoming = headersOf(value);
      const stored = headersOf(secrets.custom_headers);
      const merged: Record<string, string> = {};
      for (const [h, v] of Object.entries(incoming))
        merged[h] = isMaskedEcho(v, stored[h]) ? (stored[h] ?? '') : v;
      if (Object.keys(merged).length) secrets.custom_headers = JSON.stringify(merged);
      else delete secrets.custom_headers;
      continue;
    }
    detail[key] = value ?? '';
  }
  return { detail, secrets };
}

/** `detail` as the API shows it: never a secret, always an object. */
export function detailOut(type: CredentialType, stored: StoredCredential): Record<string, unknown> {
  const d = stored.detail;
  const s = stored.secrets;
  switch (type) {
    case 'llm': {
      const headers = headersOf(s.custom_headers);
      return {
        provider_type: d.provider_type ?? 'openai_compatible',
        api_key: maskSecret(s.api_key),
        base_url: d.base_url ?? '',
        organization_id: d.organization_id ?? '',
        custom_headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, maskSecret(v)])),
      };
    }
    case 'gateway':
      return {
        gateway_credential_id: d.gateway_credential_id ?? '',
        adapter_type: d.adapter_type ?? 'generic',
      };
    case 'git':
      return {
        provider: d.provider ?? 'github',
        credential_type: d.credential_type ?? 'token',
        username: d.username ?? '',
        ssh_private_key: s.ssh_private_key ? '****' : '',
        access_token: maskSecret(s.access_token),
        webhook_secret: s.webhook_secret ? '****' : '',
      };
    case 'tool':
      return {
        tool_type: d.tool_type ?? 'searxng',
        config: d.config ?? {},
        is_preferred: Boolean(d.is_preferred),
        api_key: maskSecret(s.api_key),
      };
  }
}

export { headersOf };
