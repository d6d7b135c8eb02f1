/**
 * API keys: 32 random bytes, URL-safe (they travel in WebSocket query strings unescaped).
 * Only a SHA-256 of the key is stored, plus its first 8 characters for recognition in lists.
 */
import { createHash, randomBytes } from 'node:crypto';

export interface NewApiKey {
  key: string;
  hash: string;
  prefix: string;
}

export const hashApiKey = (key: string): string => createHash('sha256').update(key).digest('hex');

export function generateApiKey(): NewApiKey {
  const key = randomBytes(32).toString('base64url');
  return { key, hash: hashApiKey(key), prefix: key.slice(0, 8) };
}

/** The reserved key name that password and MFA logins rotate. */
export const SESSION_KEY_NAME = 'session';
