/**
 * Password-login throttling, in the database so every process shares it:
 * - per account (by the submitted username, existing or not): 10 consecutive failures lock the
 *   account for 15 minutes; while locked even the right password gets the generic 401
 *   `"Invalid credentials."` (a lockout is not revealed, so it cannot be used to probe usernames);
 * - per client address: 30 failed attempts within 10 minutes → 429 with Retry-After until the
 *   window ends.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { bumpThrottle, clearThrottle, lockRemainingMs, lockThrottle, readThrottle } from './throttle.js';

export const LOGIN_MAX_FAILURES = 10;
export const LOGIN_LOCKOUT_MS = 15 * 60_000;
export const LOGIN_IP_MAX_FAILURES = 30;
export const LOGIN_IP_WINDOW_MS = 10 * 60_000;

const ACCOUNT = 'login_fail';
const ADDRESS = 'login_ip';
const accountSubject = (username: string) => username.trim().toLowerCase().slice(0, 255);

/** Seconds until this address may try again, or 0 when it may try now. */
export async function addressRetryAfterSeconds(db: Kysely<Database>, ip: string, now = Date.now()) {
  const state = await readThrottle(db, ADDRESS, ip);
  if (!state || state.count < LOGIN_IP_MAX_FAILURES) return 0;
  const ends = state.windowStartedAt + LOGIN_IP_WINDOW_MS;
  return ends > now ? Math.ceil((ends - now) / 1000) : 0;
}

export async function isAccountLocked(db: Kysely<Database>, username: string, now = Date.now()) {
  return (await lockRemainingMs(db, ACCOUNT, accountSubject(username), now)) > 0;
}

/** Counts a failed password attempt; returns true when this failure locked the account. */
export async function recordLoginFailure(
  db: Kysely<Database>,
  username: string,
  ip: string,
  now = Date.now(),
): Promise<boolean> {
  await bumpThrottle(db, ADDRESS, ip, { windowMs: LOGIN_IP_WINDOW_MS, mode: 'fixed', now });
  const subject = accountSubject(username);
  if ((await lockRemainingMs(db, ACCOUNT, subject, now)) > 0) return false;
  const failures = await bumpThrottle(db, ACCOUNT, subject, {
    windowMs: LOGIN_LOCKOUT_MS,
    mode: 'idle',
    now,
  });
  if (failures >= LOGIN_MAX_FAILURES) {
    await lockThrottle(db, ACCOUNT, subject, now + LOGIN_LOCKOUT_MS);
    return true;
  }
  return false;
}

export async function recordLoginSuccess(db: Kysely<Database>, username: string): Promise<void> {
  await clearThrottle(db, ACCOUNT, accountSubject(username));
}
