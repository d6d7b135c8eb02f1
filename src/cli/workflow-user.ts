import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { UsageError } from './fail.js';

/** The user a workflow CLI command acts as: `--user NAME`, else the first admin. */
export async function cliUser(
  db: Kysely<Database>,
  username?: string,
): Promise<{ id: number; role: 'admin' | 'normal' }> {
  let query = db.selectFrom('users').select(['id', 'role']).where('deleted_at', 'is', null);
  query = username ? query.where('username', '=', username) : query.where('role', '=', 'admin').orderBy('id');
  const user = await query.executeTakeFirst();
  if (!user)
    throw new UsageError(username ? `--user: no user '${username}'` : "No user found. Run 'setup' first.");
  return { id: Number(user.id), role: user.role };
}
