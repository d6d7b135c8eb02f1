/**
 * `/api/v1/users`: self-service profile and keys for everyone, user administration for admins.
 * Users are listed as `{"users": [...], "total": N}` and keys as bare arrays, as the reference does.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { recordAuditEvent } from '../../audit/record-audit-event.js';
import { createUser } from '../../auth/create-user.js';
import { issueApiKey } from '../../auth/issue-api-key.js';
import { hashPassword, MIN_PASSWORD_LENGTH } from '../../auth/passwords.js';
import { apiKeyOut, userOut } from '../../auth/user-out.js';
import type { Database } from '../../db/schema.js';
import { nowIso, toInt } from '../../db/values.js';
import { badRequest, conflict, notFound } from '../../errors.js';
import { currentUser, requireAdmin, requireAuthentication } from '../guards.js';
import { ZPage } from '../pagination.js';
import { validate } from '../validate.js';

const ZPassword = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `Password must be at least ${MIN_PASSWORD_LENGTH} characters.`)
  .max(1024);
const ZRole = z.enum(['admin', 'normal']);
const ZName = z.string().max(150);

const ZCreateUser = z.object({
  username: z.string().trim().min(1).max(150),
  password: ZPassword,
  role: ZRole.default('normal'),
  first_name: ZName.optional(),
  last_name: ZName.optional(),
});
const ZUpdateMe = z.object({
  password: ZPassword.optional(),
  first_name: ZName.optional(),
  last_name: ZName.optional(),
});
const ZUpdateUser = ZUpdateMe.extend({ role: ZRole.optional() });
const ZCreateKey = z.object({
  name: z.string().trim().min(1).max(100),
  expires_at: z.iso.datetime({ offset: true }).nullish(),
});
const ZUserId = z.object({ user_id: z.coerce.number().int().positive() });
const ZKeyId = z.object({ key_id: z.coerce.number().int().positive() });

async function findUser(db: Kysely<Database>, id: number) {
  const user = await db
    .selectFrom('users')
    .selectAll()
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (!user) throw notFound('User not found.');
  return user;
}

async function applyProfileUpdate(
  db: Kysely<Database>,
  userId: number,
  patch: z.infer<typeof ZUpdateUser>,
): Promise<void> {
  const set: Record<string, unknown> = { updated_at: nowIso() };
  if (patch.first_name !== undefined) set.first_name = patch.first_name;
  if (patch.last_name !== undefined) set.last_name = patch.last_name;
  if (patch.role !== undefined) set.role = patch.role;
  if (patch.password !== undefined) set.password_hash = await hashPassword(patch.password);
  await db.updateTable('users').set(set).where('id', '=', userId).execute();
}

async function createKeyFor(db: Kysely<Database>, userId: number, body: unknown) {
  const input = validate(ZCreateKey, body);
  let expiresAt: string | null = null;
  if (input.expires_at) {
    const when = new Date(input.expires_at);
    if (when.getTime() <= Date.now()) throw badRequest('expires_at must be in the future.');
    expiresAt = when.toISOString();
  }
  const { row, key } = await issueApiKey(db, userId, input.name, expiresAt);
  return { ...apiKeyOut(row), key };
}

async function listKeys(db: Kysely<Database>, userId: number) {
  const rows = await db
    .selectFrom('api_keys')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map(apiKeyOut);
}

async function revokeKey(db: Kysely<Database>, userId: number, keyId: number): Promise<void> {
  const result = await db
    .updateTable('api_keys')
    .set({ is_active: false })
    .where('id', '=', keyId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) throw notFound('API key not found.');
}

export async function usersRoutes(app: FastifyInstance): Promise<void> {
  requireAuthentication(app);
  const { db } = app.services.database;
  const audit = (
    request: FastifyRequest,
    action: string,
    target: string,
    details?: Record<string, unknown>,
  ) =>
    recordAuditEvent(
      db,
      { actor_user_id: currentUser(request).id, action, target, ip: request.ip, details },
      request.log,
    );

  // Self-service (registered before `/:user_id` so `me` is never read as an id).
  app.get('/me', async (request) => userOut(db, await findUser(db, currentUser(request).id)));

  app.patch('/me', async (request) => {
    const me = currentUser(request);
    const patch = validate(ZUpdateMe, request.body);
    await applyProfileUpdate(db, me.id, patch);
    await audit(request, 'user.updated', `user:${me.id}`, {
      fields: Object.keys(patch).filter((k) => patch[k as keyof typeof patch] !== undefined),
    });
    return userOut(db, await findUser(db, me.id));
  });

  app.post('/me/keys', async (request, reply) => {
    const created = await createKeyFor(db, currentUser(request).id, request.body);
    await audit(request, 'api_key.created', `api_key:${created.id}`);
    reply.status(201);
    return created;
  });
  app.get('/me/keys', async (request) => listKeys(db, currentUser(request).id));
  app.delete('/me/keys/:key_id', async (request, reply) => {
    const { key_id } = validate(ZKeyId, request.params, 'path');
    await revokeKey(db, currentUser(request).id, key_id);
    await audit(request, 'api_key.revoked', `api_key:${key_id}`);
    return reply.status(204).send();
  });

  // Administration.
  app.post('/', async (request, reply) => {
    requireAdmin(request);
    const body = validate(ZCreateUser, request.body);
    const user = await createUser(db, body);
    await audit(request, 'user.created', `user:${user.id}`, { role: user.role });
    reply.status(201);
    return userOut(db, user);
  });

  app.get('/', async (request) => {
    requireAdmin(request);
    const page = validate(ZPage, request.query, 'query');
    const base = db.selectFrom('users').where('deleted_at', 'is', null);
    const { n } = await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    const rows = await base.selectAll().orderBy('id').limit(page.limit).offset(page.offset).execute();
    return { users: await Promise.all(rows.map((u) => userOut(db, u))), total: toInt(n) };
  });

  app.get('/:user_id', async (request) => {
    requireAdmin(request);
    const { user_id } = validate(ZUserId, request.params, 'path');
    return userOut(db, await findUser(db, user_id));
  });

  app.patch('/:user_id', async (request) => {
    requireAdmin(request);
    const { user_id } = validate(ZUserId, request.params, 'path');
    const patch = validate(ZUpdateUser, request.body);
    const target = await findUser(db, user_id);
    if (target.role === 'admin' && patch.role === 'normal') {
      const { n } = await db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('role', '=', 'admin')
        .where('deleted_at', 'is', null)
        .executeTakeFirstOrThrow();
      if (toInt(n) <= 1) throw conflict('Cannot demote the last admin user.');
    }
    await applyProfileUpdate(db, user_id, patch);
    await audit(request, 'user.updated', `user:${user_id}`, {
      fields: Object.keys(patch).filter((k) => patch[k as keyof typeof patch] !== undefined),
    });
    if (patch.role !== undefined && patch.role !== target.role) {
      await audit(request, 'user.role_changed', `user:${user_id}`, { from: target.role, to: patch.role });
    }
    return userOut(db, await findUser(db, user_id));
  });

  app.delete('/:user_id', async (request, reply) => {
    const me = requireAdmin(request);
    const { user_id } = validate(ZUserId, request.params, 'path');
    const target = await findUser(db, user_id);
    if (target.id === me.id) throw badRequest('You cannot delete your own account.');
    if (target.role === 'admin') {
      const { n } = await db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('role', '=', 'admin')
        .where('deleted_at', 'is', null)
        .executeTakeFirstOrThrow();
      if (toInt(n) <= 1) throw conflict('Cannot delete the last admin user.');
    }
    // Deleted for good: keys revoked, login refused (the row stays so history keeps its owner).
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('api_keys').set({ is_active: false }).where('user_id', '=', user_id).execute();
      await trx
        .updateTable('users')
        .set({ deleted_at: nowIso(), updated_at: nowIso(), password_hash: '' })
        .where('id', '=', user_id)
        .execute();
    });
    await audit(request, 'user.deleted', `user:${user_id}`);
    return reply.status(204).send();
  });

  app.post('/:user_id/keys', async (request, reply) => {
    requireAdmin(request);
    const { user_id } = validate(ZUserId, request.params, 'path');
    await findUser(db, user_id);
    const created = await createKeyFor(db, user_id, request.body);
    await audit(request, 'api_key.created', `api_key:${created.id}`, { user_id });
    reply.status(201);
    return created;
  });

  app.get('/:user_id/keys', async (request) => {
    requireAdmin(request);
    const { user_id } = validate(ZUserId, request.params, 'path');
    await findUser(db, user_id);
    return listKeys(db, user_id);
  });

  app.delete('/:user_id/keys/:key_id', async (request, reply) => {
    requireAdmin(request);
    const { user_id } = validate(ZUserId, request.params, 'path');
    const { key_id } = validate(ZKeyId, request.params, 'path');
    await revokeKey(db, user_id, key_id);
    await audit(request, 'api_key.revoked', `api_key:${key_id}`, { user_id });
    return reply.status(204).send();
  });
}
