/** The reference's `UserOut` and `APIKeyOut` shapes. */
import type { Kysely, Selectable } from 'kysely';
import type { ApiKeysTable, Database, UsersTable } from '../db/schema.js';
import { toBool, toInt } from '../db/values.js';

export interface UserOut {
  id: number;
  username: string;
  role: 'admin' | 'normal';
  first_name: string;
  last_name: string;
  created_at: string;
  mfa_enabled: boolean;
  key_count: number;
}

export async function userOut(db: Kysely<Database>, user: Selectable<UsersTable>): Promise<UserOut> {
  const { n } = await db
    .selectFrom('api_keys')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('user_id', '=', user.id)
    .where('is_active', '=', true)
    .executeTakeFirstOrThrow();
  return {
    id: user.id,
    username: user.username,
    role: user.role,
    first_name: user.first_name,
    last_name: user.last_name,
    created_at: user.created_at,
    mfa_enabled: toBool(user.mfa_enabled),
    key_count: toInt(n),
  };
}

export function apiKeyOut(row: Selectable<ApiKeysTable>) {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    created_at: row.created_at,
    last_used_at: row.last_used_at,
    expires_at: row.expires_at,
    is_active: toBool(row.is_active),
  };
}
