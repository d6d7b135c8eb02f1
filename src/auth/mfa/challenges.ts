/**
 * The binding between the password step and the MFA step (fixes the reference's unbound second
 * step): a successful password login of an MFA user records a short-lived challenge; the second step
 * must present its token, or (reference web client) come from the same address within the expiry.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';

export const MFA_CHALLENGE_TTL_MS = 5 * 60_000;

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** Records a challenge for `userId` and returns the token to hand to the client. */
export async function createMfaChallenge(
  db: Kysely<Database>,
  userId: number,
  clientIp: string,
  now = Date.now(),
): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await db
    .insertInto('mfa_challenges')
    .values({
      user_id: userId,
      token_hash: hashToken(token),
      client_ip: clientIp.slice(0, 64),
      created_at: new Date(now).toISOString(),
      expires_at: new Date(now + MFA_CHALLENGE_TTL_MS).toISOString(),
    })
    .execute();
  return token;
}

/**
 * The id of a valid, unexpired challenge of `userId`: the one named by `token` when given,
 * otherwise one issued to the same client address. Null when there is none.
 */
export async function findMfaChallenge(
  db: Kysely<Database>,
  userId: number,
  opts: { token?: string; clientIp: string; now?: number },
): Promise<number | null> {
  const nowIso = new Date(opts.now ?? Date.now()).toISOString();
  let query = db
    .selectFrom('mfa_challenges')
    .select('id')
    .where('user_id', '=', userId)
    .where('expires_at', '>', nowIso);
  query = opts.token
    ? query.where('token_hash', '=', hashToken(opts.token))
    : query.where('client_ip', '=', opts.clientIp);
  const row = await query.orderBy('id', 'desc').executeTakeFirst();
  return row ? row.id : null;
}

/** A successful second step consumes every open challenge of the user. */
export async function consumeMfaChallenges(db: Kysely<Database>, userId: number): Promise<void> {
  await db.deleteFrom('mfa_challenges').where('user_id', '=', userId).execute();
}

export async function pruneMfaChallenges(db: Kysely<Database>, now = Date.now()): Promise<void> {
  await db.deleteFrom('mfa_challenges').where('expires_at', '<=', new Date(now).toISOString()).execute();
}
