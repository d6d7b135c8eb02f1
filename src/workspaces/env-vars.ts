/**
 * Workspace environment variables (spec §5.7): `{key, source:"raw", value}` or `{key,
 * source:"credential", credential_id, credential_field}`. Raw values are stored as a Fernet token
 * (`value_enc`, under FIELD_ENCRYPTION_KEY) — never in plain text; credential-sourced ones store only
 * the reference and are resolved when a command runs.
 */
import { z } from 'zod';
import { fernetDecrypt, fernetEncrypt, isFernetKey } from '../auth/fernet.js';

export const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const ZEnvVar = z.discriminatedUnion('source', [
  z.object({
    key: z.string().regex(ENV_KEY, 'must be a valid environment variable name').max(255),
    source: z.literal('raw'),
    value: z.string().max(100_000).default(''),
  }),
  z.object({
    key: z.string().regex(ENV_KEY, 'must be a valid environment variable name').max(255),
    source: z.literal('credential'),
    credential_id: z.number().int(),
    credential_field: z.string().max(64).default('api_key'),
  }),
]);
export type TEnvVar = z.infer<typeof ZEnvVar>;

/** What the `env_vars` column holds. */
export type StoredEnvVar =
  | { key: string; source: 'raw'; value_enc: string }
  | { key: string; source: 'credential'; credential_id: number; credential_field: string };

export class EnvVarKeyError extends Error {
  override name = 'EnvVarKeyError';
}

function needKey(key: string) {
  if (!key || !isFernetKey(key)) {
    throw new EnvVarKeyError(
      'FIELD_ENCRYPTION_KEY is not set (or not a valid Fernet key); workspace environment values cannot be stored. Generate one with `pipelit generate-key`.',
    );
  }
  return key;
}

export function encryptEnvVars(encryptionKey: string, vars: TEnvVar[]): StoredEnvVar[] {
  return vars.map((v) =>
    v.source === 'raw'
      ? { key: v.key, source: 'raw', value_enc: fernetEncrypt(needKey(encryptionKey), v.value) }
      : {
          key: v.key,
          source: 'credential',
          credential_id: v.credential_id,
          credential_field: v.credential_field,
        },
  );
}

/** A raw value in clear, or null when it cannot be decrypted (wrong key). Legacy plain `value` is read as is. */
export function rawValue(encryptionKey: string, v: Record<string, unknown>): string | null {
  if (typeof v.value_enc === 'string') {
    try {
      return fernetDecrypt(needKey(encryptionKey), v.value_enc);
    } catch {
      return null;
    }
  }
  return typeof v.value === 'string' ? v.value : null;
}

/** The API shape: raw values shown to their owner (as the reference does), credential secrets never. */
export function envVarsOut(encryptionKey: string, stored: Array<Record<string, unknown>>) {
  return stored.map((v) =>
    v.source === 'credential'
      ? {
          key: String(v.key),
          source: 'credential' as const,
          credential_id: v.credential_id ?? null,
          credential_field: v.credential_field ?? null,
        }
      : { key: String(v.key), source: 'raw' as const, value: rawValue(encryptionKey, v) ?? '' },
  );
}
