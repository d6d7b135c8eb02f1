/** Creating named keys and rotating the login `session` key. */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { nowIso } from '../db/values.js';
import { generateApiKey, SESSION_KEY_NAME } from './api-keys.js';

export async function issueApiKey(
  db: Kysely<Database>,
  userId: number,
  name: string,
  expiresAt: string | null = null,
) {
  const fresh = generateApiKey();
  const row = await db
    .insertInto('api_keys')
    .values({
      user_id: userId,
      name,
      key_hash: fresh.hash,
      prefix: fresh.prefix,
      created_at: nowIso(),
      expires_at: expiresAt,
      is_active: true,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { row, key: fresh.key };
}

/**
 * A successful login replaces the user's single `session` key with a fresh one (the reference's
 * behaviour: logging in again ends the previous browser session). Other named keys are untouched.
 */
export async function rotateSessionKey(db: Kysely<Database>, userId: number): Promise<string> {
  const fresh = generateApiKey();
  return db.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom('api_keys')
      .select('id')
      .where('user_id', '=', userId)
      .where('name', '=', SESSION_KEY_NAME)
      .orderBy('id')
      .execute();
    if (existing.length === 0) {
      await trx
        .insertInto('api_keys')
        .values({
          user_id: userId,
          name: SESSION_KEY_NAME,
          key_hash: fresh.hash,
          prefix: fresh.prefix,
          created_at: nowIso(),
          is_active: true,
        })
        .execute();
    } else {
      await trx
        .updateTable('api_keys')
        .set({
          key_hash: fresh.hash,
          prefix: fresh.prefix,
          is_active: true,
          created_at: nowIso(),
          expires_at: null,
        })
        .where('id', '=', existing[0].id)
        .execute();
      if (existing.length > 1) {
        await trx
          .deleteFrom('api_keys')
          .where(
            'id',
            'in',
            existing.slice(1).map((k) => k.id),
          )
          .execute();
      }
    }
    return fresh.key;
  });
}
