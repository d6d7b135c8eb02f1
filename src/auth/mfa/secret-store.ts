/**
 * TOTP secrets at rest: Fernet-encrypted with FIELD_ENCRYPTION_KEY. Without a key (DEBUG setups only;
 * production start-up requires one) the secret is stored with a `plain:` marker. A secret that does
 * not decrypt is an error, never silently used as-is.
 */
import { fernetDecrypt, fernetEncrypt } from '../fernet.js';

const PLAIN = 'plain:';

export function sealTotpSecret(fieldKey: string, secret: string): string {
  return fieldKey ? fernetEncrypt(fieldKey, secret) : `${PLAIN}${secret}`;
}

/** The secret, or null when it cannot be read with this key (MFA then fails closed). */
export function openTotpSecret(fieldKey: string, stored: string | null): string | null {
  if (!stored) return null;
  if (stored.startsWith(PLAIN)) return stored.slice(PLAIN.length);
  if (!fieldKey) return null;
  try {
    return fernetDecrypt(fieldKey, stored);
  } catch {
    return null;
  }
}
