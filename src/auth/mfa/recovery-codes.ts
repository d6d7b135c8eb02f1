/**
 * Recovery codes: ten single-use codes shown once at enrolment, stored as SHA-256 hashes. The codes
 * carry 50 random bits each, so a fast hash is enough (attempts are rate limited like TOTP codes).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { base32Encode } from './totp.js';

export const RECOVERY_CODE_COUNT = 10;

const normalise = (code: string) => code.toLowerCase().replace(/[\s-]/g, '');
const hashCode = (code: string) => createHash('sha256').update(normalise(code)).digest('hex');

/** Looks like a recovery code (`xxxxx-xxxxx`, base32), as opposed to a 6-digit TOTP code. */
export const isRecoveryCodeShape = (code: string) => /^[a-z2-7]{10}$/.test(normalise(code));

/** Replaces the user's recovery codes with fresh ones and returns them (the only time they are seen). */
export async function issueRecoveryCodes(db: Kysely<Database>, userId: number): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const raw = base32Encode(randomBytes(7)).slice(0, 10).toLowerCase();
    return `${raw.slice(0, 5)}-${raw.slice(5)}`;
  });
  const now = new Date().toISOString();
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('mfa_recovery_codes').where('user_id', '=', userId).execute();
    await trx
      .insertInto('mfa_recovery_codes')
      .values(codes.map((c) => ({ user_id: userId, code_hash: hashCode(c), created_at: now, used_at: null })))
      .execute();
  });
  return codes;
}

/** Marks a matching unused code as used; true when one was consumed (atomic: a code works once). */
export async function consumeRecoveryCode(
  db: Kysely<Database>,
  userId: number,
  code: string,
): Promise<boolean> {
  if (!isRecoveryCodeShape(code)) return false;
  const result = await db
    .updateTable('mfa_recovery_codes')
    .set({ used_at: new Date().toISOString() })
    .where('user_id', '=', userId)
    .where('code_hash', '=', hashCode(code))
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function deleteRecoveryCodes(db: Kysely<Database>, userId: number): Promise<void> {
  await db.deleteFrom('mfa_recovery_codes').where('user_id', '=', userId).execute();
}
