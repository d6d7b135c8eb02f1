/**
 * `/api/v1/auth`: password login (rotates the `session` key), first-run setup, and the current user.
 * Login answers the same generic error for an unknown user and a wrong password, after the same work.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { createFirstAdmin } from '../../auth/create-user.js';
import { issueApiKey, rotateSessionKey } from '../../auth/issue-api-key.js';
import { MIN_PASSWORD_LENGTH, verifyAgainstDummy, verifyPassword } from '../../auth/passwords.js';
import { toBool } from '../../db/values.js';
import { conflict, unauthorized } from '../../errors.js';
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

  app.post('/token/', async (request) => {
    const body = validate(ZLogin, request.body);
    const user = await db
      .selectFrom('users')
      .selectAll()
      .where('username', '=', body.username)
      .executeTakeFirst();
    const ok =
      user && !user.deleted_at
        ? await verifyPassword(user.password_hash, body.password)
        : await verifyAgainstDummy(body.password);
    if (!ok || !user) throw unauthorized('Invalid credentials.');
    if (toBool(user.mfa_enabled)) return { key: '', requires_mfa: true };
    return { key: await rotateSessionKey(db, user.id), requires_mfa: false };
  });

  app.get('/setup-status/', async () => {
    const any = await db.selectFrom('users').select('id').limit(1).executeTakeFirst();
    return { needs_setup: !any };
  });

  app.post('/setup/', async (request, reply) => {
    const body = validate(ZSetup, request.body);
    const user = await createFirstAdmin(db, app.services.settings.dataDir, body);
    if (!user) throw conflict('Setup already completed.');
    const { key } = await issueApiKey(db, user.id, 'default');
    reply.status(201);
    return { username: user.username, role: user.role, key, requires_mfa: false };
  });
}

/** Routes that need a key. */
export async function authPrivateRoutes(app: FastifyInstance): Promise<void> {
  requireAuthentication(app);
  app.get('/me/', async (request) => {
    const user = currentUser(request);
    return { id: user.id, username: user.username, role: user.role, mfa_enabled: user.mfaEnabled };
  });
}
