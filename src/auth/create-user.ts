/** Creating users (admin API, first-run setup, CLI). */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Kysely, sql } from 'kysely';
import { dialectOf } from '../db/dialect-of.js';
import type { Database } from '../db/schema.js';
import { nowIso } from '../db/values.js';
import { conflict } from '../errors.js';
import { hashPassword } from './passwords.js';

export interface NewUser {
  username: string;
  password: string;
  role: 'admin' | 'normal';
  first_name?: string;
  last_name?: string;
}

export async function createUser(db: Kysely<Database>, input: NewUser) {
  const passwordHash = await hashPassword(input.password);
  const taken = await db
    .selectFrom('users')
    .select('id')
    .where('username', '=', input.username)
    .executeTakeFirst();
  if (taken) throw conflict('Username already exists.');
  const now = nowIso();
  try {
    return await db
      .insertInto('users')
      .values({
        username: input.username,
        password_hash: passwordHash,
        role: input.role,
        first_name: input.first_name ?? '',
        last_name: input.last_name ?? '',
        mfa_enabled: false,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  } catch (err) {
    if (/unique|duplicate/i.test(String((err as Error).message))) throw conflict('Username already exists.');
    throw err;
  }
}

/**
 * Creates the first admin and its `default` workspace, only while no user exists. Returns null when
 * setup was already done. Concurrent calls are serialised so exactly one can win.
 */
export async function createFirstAdmin(
  db: Kysely<Database>,
  dataDir: string,
  input: { username: string; password: string },
) {
  const passwordHash = await hashPassword(input.password);
  return db.transaction().execute(async (trx) => {
    if (dialectOf(trx) === 'postgres') await sql`select pg_advisory_xact_lock(727002)`.execute(trx);
    const existing = await trx.selectFrom('users').select('id').limit(1).executeTakeFirst();
    if (existing) return null;
    const now = nowIso();
    const user = await trx
      .insertInto('users')
      .values({
        username: input.username,
        password_hash: passwordHash,
        role: 'admin',
        first_name: '',
        last_name: '',
        mfa_enabled: false,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const path = join(dataDir, 'workspaces', 'default');
    mkdirSync(join(path, '.tmp'), { recursive: true });
    const hasDefault = await trx
      .selectFrom('workspaces')
      .select('id')
      .where('name', '=', 'default')
      .executeTakeFirst();
    if (!hasDefault) {
      await trx
        .insertInto('workspaces')
        .values({
          user_id: user.id,
          name: 'default',
          path,
          allow_network: true,
          env_vars: '[]',
          created_at: now,
        })
        .execute();
    }
    return user;
  });
}
