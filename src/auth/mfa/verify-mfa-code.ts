/**
 * The one gate for every MFA code (enable, disable, login): rate limit, lockout, ±1 step window and
 * replay guard, with all state in the database. Numbers follow the reference: 5 attempts per 60 s
 * (every attempt counts), 10 consecutive failures → 900 s lockout, success clears the failures.
 * A rate-limited or locked attempt is reported exactly like a wrong code (`ok: false`).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { bumpThrottle, clearThrottle, lockRemainingMs, lockThrottle, readThrottle } from '../throttle.js';
import { consumeRecoveryCode } from './recovery-codes.js';
import { matchTotpStep } from './totp.js';

export const MFA_WINDOW_STEPS = 1;
export const MFA_RATE_LIMIT = 5;
export const MFA_RATE_WINDOW_MS = 60_000;
export const MFA_MAX_FAILURES = 10;
export const MFA_LOCKOUT_MS = 900_000;

const RATE = 'mfa_rate';
const FAIL = 'mfa_fail';

export type MfaVerdict =
  | { ok: true; via: 'totp' | 'recovery_code'; lockedNow?: false }
  | { ok: false; lockedNow: boolean };

export interface VerifyMfaInput {
  userId: number;
  /** The decrypted base32 secret; null fails closed. */
  secret: string | null;
  code: string;
  /** Also accept an unused recovery code (login only). */
  allowRecoveryCode?: boolean;
  now?: number;
}

export async function verifyMfaCode(db: Kysely<Database>, input: VerifyMfaInput): Promise<MfaVerdict> {
  const now = input.now ?? Date.now();
  const subject = String(input.userId);
  if ((await lockRemainingMs(db, FAIL, subject, now)) > 0) return { ok: false, lockedNow: false };
  const rate = await readThrottle(db, RATE, subject);
  if (rate && rate.windowStartedAt > now - MFA_RATE_WINDOW_MS && rate.count >= MFA_RATE_LIMIT) {
    return { ok: false, lockedNow: false };
  }
  await bumpThrottle(db, RATE, subject, { windowMs: MFA_RATE_WINDOW_MS, mode: 'fixed', now });

  let via: 'totp' | 'recovery_code' | null = null;
  const step = input.secret ? matchTotpStep(input.secret, input.code, now, MFA_WINDOW_STEPS) : null;
  if (step !== null) {
    // Replay guard, atomic across processes: only a step later than the last used one is accepted.
    const updated = await db
      .updateTable('users')
      .set({ totp_last_used_step: step })
      .where('id', '=', input.userId)
      .where((eb) => eb.or([eb('totp_last_used_step', 'is', null), eb('totp_last_used_step', '<', step)]))
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) > 0) via = 'totp';
  } else if (input.allowRecoveryCode && input.secret) {
    if (await consumeRecoveryCode(db, input.userId, input.code)) via = 'recovery_code';
  }

  if (via) {
    await clearThrottle(db, FAIL, subject);
    return { ok: true, via };
  }
  const failures = await bumpThrottle(db, FAIL, subject, { windowMs: MFA_LOCKOUT_MS, mode: 'idle', now });
  if (failures >= MFA_MAX_FAILURES) {
    await lockThrottle(db, FAIL, subject, now + MFA_LOCKOUT_MS);
    return { ok: false, lockedNow: true };
  }
  return { ok: false, lockedNow: false };
}

/** Forgets rate/failure/lockout state (after an administrative MFA reset). */
export async function clearMfaThrottles(db: Kysely<Database>, userId: number): Promise<void> {
  await clearThrottle(db, RATE, String(userId));
  await clearThrottle(db, FAIL, String(userId));
}
