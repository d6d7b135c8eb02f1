/**
 * `/api/v1/auth`: password login (rotates the `session` key), first-run setup, and the current user.
 * Login answers the same generic error for an unknown user and a wrong password, after the same work.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { recordAuditEvent } from '../../audit/record-audit-event.js';
import { SESSION_KEY_NAME } from '../../auth/api-keys.js';
import { createFirstAdmin } from '../../auth/create-user.js';
import { issueApiKey, rotateSessionKey } from '../../auth/issue-api-key.js';
import {
  addressRetryAfterSeconds,
  isAccountLocked,
  recordLoginFailure,
  recordLoginSuccess,
} from '../../auth/login-throttle.js';
import { createMfaChallenge } from '../../auth/mfa/challenges.js';
import { MIN_PASSWORD_LENGTH, verifyAgainstDummy, verifyPassword } from '../../auth/passwords.js';
import { clearSessionCookie, deliverSessionKey, usesSessionCookie } from '../../auth/session-cookie.js';
import { toBool } from '../../db/values.js';
import { AppError, conflict, unauthorized } from '../../errors.js';
import { currentUser, requireAuthentication } from '../guards.js';
import { validate } from '../validate.js';

const ZLogin = z.object({ username: z.string().min(1).max(150), password: z.string().min(1).max(1024) });
const ZSetup = z.object({
  username: z.string().trim().min(1).max(150),
  password: z.string().min(MIN_PASSWORD_LENGTH).max(1024),
});

/** Public routes: no key needed. */
export async function authPublicRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.services.database;

  // Throttled per address (429) and per account (lockout, answered like a wrong password); see
  // src/auth/login-throttle.ts for the numbers.
  app.post('/token/', async (request, reply) => {
    const body = validate(ZLogin, request.body);
    const retryAfter = await addressRetryAfterSeconds(db, request.ip);
    if (retryAfter > 0) {
      reply.header('retry-after', String(retryAfter));
      throw new AppError(429, 'Too many failed login attempts. Try again later.', 'RATE_LIMITED');
    }
    const user = await db
      .selectFrom('users')
      .selectAll()
      .where('username', '=', body.username)
      .executeTakeFirst();
    const locked = await isAccountLocked(db, body.username);
    const ok =
      user && !user.deleted_at && !locked
        ? await verifyPassword(user.password_hash, body.password)
        : await verifyAgainstDummy(body.password);
    if (!ok || !user) {
      const lockedNow = await recordLoginFailure(db, body.username, request.ip);
      const audit = { actor_user_id: user?.id ?? null, target: body.username, ip: request.ip };
      await recordAuditEvent(db, { ...audit, action: 'auth.login_failed', details: { locked } }, request.log);
      if (lockedNow) await recordAuditEvent(db, { ...audit, action: 'auth.lockout' }, request.log);
      throw unauthorized('Invalid credentials.');
    }
    await recordLoginSuccess(db, body.username);
    if (toBool(user.mfa_enabled)) {
      // Password step done; the MFA step must present this token (or come from this address).
      const mfaToken = await createMfaChallenge(db, user.id, request.ip);
      return { key: '', requires_mfa: true, mfa_token: mfaToken };
    }
    const key = await rotateSessionKey(db, user.id);
    await recordAuditEvent(
      db,
      { actor_user_id: user.id, action: 'auth.login_succeeded', target: `user:${user.id}`, ip: request.ip },
      request.log,
    );
    return { key: deliverSessionKey(request, reply, key), requires_mfa: false };
  });

  app.get('/setup-status/', async () => {
    const any = await db.selectFrom('users').select('id').limit(1).executeTakeFirst();
    return { needs_setup: !any };
  });

  app.post('/setup/', async (request, reply) => {
    const body = validate(ZSetup, request.body);
    const user = await createFirstAdmin(db, app.services.settings.dataDir, body);
    if (!user) throw conflict('Setup already completed.');
    const { key: defaultKey } = await issueApiKey(db, user.id, 'default');
    // The web app signs in with a session key in its cookie; API clients get the `default` key.
    const key = usesSessionCookie(request)
      ? deliverSessionKey(request, reply, await rotateSessionKey(db, user.id))
      : defaultKey;
    await recordAuditEvent(
      db,
      { actor_user_id: user.id, action: 'auth.setup', target: `user:${user.id}`, ip: request.ip },
      request.log,
    );
    reply.status(201);
    return { username: user.username, role: user.role, key, requires_mfa: false };
  });
}

/** Routes that need a key. */
export async function authPrivateRoutes(app: FastifyInstance): Promise<void> {
  requireAuthentication(app);
  const { db } = app.services.database;
  app.get('/me/', async (request) => {
    const user = currentUser(request);
    return { id: user.id, username: user.username, role: user.role, mfa_enabled: user.mfaEnabled };
  });

  // Ends a login: the `session` key that made this request stops working (named API keys are left
  // alone) and the web app's cookie is cleared.
  app.post('/logout/', async (request, reply) => {
    const user = currentUser(request);
    await db
      .updateTable('api_keys')
      .set({ is_active: false })
      .where('id', '=', user.keyId)
      .where('name', '=', SESSION_KEY_NAME)
      .execute();
    clearSessionCookie(reply);
    await recordAuditEvent(
      db,
      { actor_user_id: user.id, action: 'auth.logout', target: `user:${user.id}`, ip: request.ip },
      request.log,
    );
    return reply.status(204).send();
  });
}
