/**
 * Resolves a bearer key to its user, with the reference's 401 messages. `last_used_at` is
 * refreshed at most once a minute and never blocks authentication.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { nowIso, toBool } from '../db/values.js';
import { unauthorized } from '../errors.js';
import { hashApiKey } from './api-keys.js';

export interface AuthUser {
  id: number;
  username: string;
  role: 'admin' | 'normal';
  keyId: number;
  mfaEnabled: boolean;
}

const LAST_USED_DEBOUNCE_MS = 60_000;

export async function verifyApiKey(db: Kysely<Database>, key: string | undefined): Promise<AuthUser> {
  if (!key) throw unauthorized('Invalid or missing API key.');
  const row = await db
    .selectFrom('api_keys')
    .innerJoin('users', 'users.id', 'api_keys.user_id')
    .select([
      'api_keys.id as key_id',
      'api_keys.is_active',
      'api_keys.expires_at',
      'api_keys.last_used_at',
      'users.id as user_id',
      'users.username',
      'users.role',
      'users.mfa_enabled',
      'users.deleted_at',
    ])
    .where('api_keys.key_hash', '=', hashApiKey(key))
    .executeTakeFirst();
  if (!row) throw unauthorized('Invalid or missing API key.');
  if (!toBool(row.is_active)) throw unauthorized('API key has been revoked.');
  if (row.expires_at && row.expires_at <= nowIso()) throw unauthorized('API key has expired.');
  if (row.deleted_at) throw unauthorized('User not found.');

  const lastUsed = row.last_used_at ? Date.parse(row.last_used_at) : 0;
  if (Date.now() - lastUsed > LAST_USED_DEBOUNCE_MS) {
    db.updateTable('api_keys')
      .set({ last_used_at: nowIso() })
      .where('id', '=', row.key_id)
      .execute()
      .catch(() => {});
  }
  return {
    id: row.user_id,
    username: row.username,
    role: row.role,
    keyId: row.key_id,
    mfaEnabled: toBool(row.mfa_enabled),
  };
}

/** Reads the key from `Authorization: Bearer <key>`. */
export function bearerFrom(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}
