/**
 * Credential secrets at rest: one Fernet token per credential holding its secret fields as JSON.
 * Without FIELD_ENCRYPTION_KEY nothing is stored (no plaintext fallback), and a token that does not
 * decrypt is an error — never handed back as if it were the secret (fix of the reference, §16.32).
 */
import { FernetError, fernetDecrypt, fernetEncrypt, isFernetKey } from '../auth/fernet.js';

export class CredentialSecretError extends Error {
  override name = 'CredentialSecretError';
}

export type SecretFields = Record<string, string>;

function requireKey(key: string): string {
  if (!key || !isFernetKey(key)) {
    throw new CredentialSecretError(
      'FIELD_ENCRYPTION_KEY is not set (or not a valid Fernet key); credentials cannot be stored or read. Generate one with `pipelit generate-key`.',
    );
  }
  return key;
}

/** True when secrets can be encrypted with this key. */
export const canEncrypt = (key: string) => Boolean(key) && isFernetKey(key);

export function encryptSecrets(key: string, secrets: SecretFields): string | null {
  const kept = Object.fromEntries(Object.entries(secrets).filter(([, v]) => v !== ''));
  if (Object.keys(kept).length === 0) return null;
  return fernetEncrypt(requireKey(key), JSON.stringify(kept));
}

export function decryptSecrets(key: string, token: string | null): SecretFields {
  if (!token) return {};
  try {
    const parsed = JSON.parse(fernetDecrypt(requireKey(key), token)) as unknown;
    if (!parsed || typeof parsed !== 'object') throw new CredentialSecretError('Stored secret is malformed.');
    return parsed as SecretFields;
  } catch (err) {
    if (err instanceof CredentialSecretError) throw err;
    if (err instanceof FernetError || err instanceof SyntaxError) {
      throw new CredentialSecretError(
        'A stored credential secret could not be decrypted (wrong FIELD_ENCRYPTION_KEY?). Re-enter the secret.',
      );
    }
    throw err;
  }
}

/** `abcd****wxyz`; `****` for short values; '' for none. */
export function maskSecret(value: string | undefined | null): string {
  if (!value) return '';
  if (value.length < 8) return '****';
  return `${value.slice(0, 4)}****${value.slice(-4)}`;
}

/** A value sent back by a client that only ever saw the mask: keep the stored secret. */
export const isMaskedEcho = (incoming: string, stored: string | undefined) =>
  incoming.includes('****') &&
  (stored === undefined || incoming === maskSecret(stored) || incoming === '****');
