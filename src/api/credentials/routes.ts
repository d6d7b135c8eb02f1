/**
 * Credentials (`/api/v1/credentials`, spec §4.11). Secrets are encrypted at rest (Fernet under
 * FIELD_ENCRYPTION_KEY) and only ever leave masked (`abcd****wxyz`); a PATCH that sends the mask
 * back keeps the stored secret. Normal users see their own credentials (others' are 404), admins all.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { recordAuditEvent } from '../../audit/record-audit-event.js';
import type { AuthUser } from '../../auth/verify-api-key.js';
import type { CredentialType } from '../../db/tables/credentials.js';
import { nowIso, toInt, toJson } from '../../db/values.js';
import { AppError, badRequest, notFound, serviceUnavailable } from '../../errors.js';
import { GatewayError, gatewayAdmin } from '../../gateway/gateway-client.js';
import { applyDetailInput } from '../../llm/credential-kinds.js';
import { CredentialSecretError, canEncrypt, encryptSecrets } from '../../llm/credential-secrets.js';
import { type CredentialRow, credentialOut, unpack } from '../../llm/credential-store.js';
import { listModels, testCredential } from '../../llm/test-credential.js';
import { currentUser, isAdmin, requireAuthentication } from '../guards.js';
import { toIssues, validate } from '../validate.js';

const ZType = z.enum(['llm', 'gateway', 'git', 'tool']);
const ZCreate = z.object({
  name: z.string().trim().min(1).max(255),
  credential_type: ZType,
  detail: z.record(z.string(), z.unknown()).nullish(),
});
const ZPatch = z.object({
  name: z.string().trim().min(1).max(255).optional(),
  detail: z.record(z.string(), z.unknown()).nullish(),
});
const ZList = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
const ZId = z.object({ id: z.coerce.number().int().positive() });
const ZBatch = z.object({ ids: z.array(z.number().int()).max(1000) });

const badGateway = (detail: string) => new AppError(502, detail, 'BAD_GATEWAY');

/** Validates a credential's `detail` for its type; a bad field is a 422 naming `body.detail.<field>`. */
function parseDetail(...args: Parameters<typeof applyDetailInput>): ReturnType<typeof applyDetailInput> {
  try {
    return applyDetailInput(...args);
  } catch (err) {
    if (!(err instanceof z.ZodError)) throw err;
    const issues = toIssues(err, 'body').map((i) => ({ ...i, loc: ['body', 'detail', ...i.loc.slice(1)] }));
    throw new AppError(422, issues, 'VALIDATION');
  }
}

export async function credentialsRoutes(app: FastifyInstance): Promise<void> {
  requireAuthentication(app);
  const services = app.services;
  const { db } = services.database;
  const key = () => services.settings.fieldEncryptionKey;

  const find = async (user: AuthUser, id: number): Promise<CredentialRow> => {
    let q = db.selectFrom('credentials').selectAll().where('id', '=', id);
    if (!isAdmin(user)) q = q.where('user_id', '=', user.id);
    const row = await q.executeTakeFirst();
    if (!row) throw notFound('Credential not found.');
    return row;
  };
  const requireKey = () => {
    if (!canEncrypt(key())) {
      throw serviceUnavailable(
        'FIELD_ENCRYPTION_KEY is not set: credentials cannot be stored. Generate one with `pipelit generate-key` and restart.',
      );
    }
  };
  const load = (row: CredentialRow) => {
    try {
      return unpack(row, key());
    } catch (err) {
      if (err instanceof CredentialSecretError) throw badRequest(err.message);
      throw err;
    }
  };
  /** The gateway's name for a gateway credential. */
  const gatewayIdOf = (row: CredentialRow) => String(load(row).detail.gateway_credential_id ?? row.name);
  /** One audit line per credential change. */
  const audit = (
    request: FastifyRequest,
    user: AuthUser,
    action: 'created' | 'updated' | 'deleted',
    credentialId: number,
    details?: Record<string, unknown>,
  ) =>
    recordAuditEvent(
      db,
      {
        actor_user_id: user.id,
        action: `credential.${action}`,
        target: `credential:${credentialId}`,
        ip: request.ip,
        ...(details ? { details } : {}),
      },
      request.log,
    );
  const gw = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof GatewayError) throw badGateway(err.message);
      throw err;
    }
  };

  app.get('/', async (request) => {
    const user = currentUser(request);
    const { limit, offset } = validate(ZList, request.query, 'query');
    let q = db.selectFrom('credentials');
    if (!isAdmin(user)) q = q.where('user_id', '=', user.id);
    const [rows, total] = await Promise.all([
      q.selectAll().orderBy('id').limit(limit).offset(offset).execute(),
      q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst(),
    ]);
    return { items: rows.map((r) => credentialOut(r, key())), total: toInt(total?.n) };
  });

  app.post('/', async (request, reply) => {
    const user = currentUser(request);
    const body = validate(ZCreate, request.body);
    requireKey();
    const type = body.credential_type as CredentialType;
    const stored = parseDetail(type, body.detail ?? {}, null);
    if (type === 'gateway') {
      stored.detail.gateway_credential_id = body.name;
      const d = (body.detail ?? {}) as Record<string, unknown>;
      await gw(() =>
        gatewayAdmin(services.settings, 'POST', '/admin/credentials', {
          id: body.name,
          adapter: stored.detail.adapter_type ?? 'generic',
          token: String(d.token ?? ''),
          active: false,
          ...(d.config ? { config: d.config } : {}),
        }),
      );
    }
    const now = nowIso();
    let row: CredentialRow;
    try {
      row = await db
        .insertInto('credentials')
        .values({
          user_id: user.id,
          name: body.name,
          credential_type: type,
          detail: toJson(stored.detail),
          secrets: encryptSecrets(key(), stored.secrets),
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    } catch (err) {
      if (type === 'gateway')
        await gatewayAdmin(
          services.settings,
          'DELETE',
          `/admin/credentials/${encodeURIComponent(body.name)}`,
        ).catch(() => {});
      throw err;
    }
    await audit(request, user, 'created', row.id, { type });
    reply.code(201);
    return credentialOut(row, key());
  });

  app.post('/batch-delete/', async (request, reply) => {
    const user = currentUser(request);
    const { ids } = validate(ZBatch, request.body);
    if (ids.length === 0) return reply.code(204).send();
    let q = db.selectFrom('credentials').selectAll().where('id', 'in', ids);
    if (!isAdmin(user)) q = q.where('user_id', '=', user.id);
    const rows = await q.execute();
    const failures: string[] = [];
    for (const row of rows.filter((r) => r.credential_type === 'gateway')) {
      const gid = gatewayIdOf(row);
      await gatewayAdmin(services.settings, 'DELETE', `/admin/credentials/${encodeURIComponent(gid)}`).catch(
        (err) => failures.push(`${gid}: ${(err as Error).message}`),
      );
    }
    if (failures.length)
      throw badGateway(`Failed to delete gateway credentials: [${failures.join(', ')}]. Database unchanged.`);
    if (rows.length)
      await db
        .deleteFrom('credentials')
        .where(
          'id',
          'in',
          rows.map((r) => r.id),
        )
        .execute();
    for (const row of rows) await audit(request, user, 'deleted', row.id);
    return reply.code(204).send();
  });

  app.get('/:id/', async (request) => {
    const { id } = validate(ZId, request.params, 'path');
    return credentialOut(await find(currentUser(request), id), key());
  });

  app.patch('/:id/', async (request) => {
    const user = currentUser(request);
    const { id } = validate(ZId, request.params, 'path');
    const body = validate(ZPatch, request.body);
    const row = await find(user, id);
    const set: Record<string, unknown> = { updated_at: nowIso() };
    if (body.name !== undefined) set.name = body.name;
    if (body.detail) {
      requireKey();
      const current = load(row);
      const stored = parseDetail(row.credential_type, body.detail, current);
      if (row.credential_type === 'gateway') {
        const push: Record<string, unknown> = {};
        if (typeof body.detail.token === 'string' && body.detail.token && !body.detail.token.includes('****'))
          push.token = body.detail.token;
        if (typeof body.detail.adapter_type === 'string') push.adapter = body.detail.adapter_type;
        if (Object.keys(push).length) {
          const gid = String(current.detail.gateway_credential_id ?? row.name);
          await gw(() =>
            gatewayAdmin(services.settings, 'PUT', `/admin/credentials/${encodeURIComponent(gid)}`, push),
          );
        }
      }
      set.detail = toJson(stored.detail);
      set.secrets = encryptSecrets(key(), stored.secrets);
    }
    await db.updateTable('credentials').set(set).where('id', '=', row.id).execute();
    await audit(request, user, 'updated', row.id, { fields: Object.keys(body) });
    const updated = await db
      .selectFrom('credentials')
      .selectAll()
      .where('id', '=', row.id)
      .executeTakeFirstOrThrow();
    return credentialOut(updated, key());
  });

  app.delete('/:id/', async (request, reply) => {
    const user = currentUser(request);
    const { id } = validate(ZId, request.params, 'path');
    const row = await find(user, id);
    if (row.credential_type === 'gateway') {
      const gid = gatewayIdOf(row);
      await gw(() =>
        gatewayAdmin(services.settings, 'DELETE', `/admin/credentials/${encodeURIComponent(gid)}`),
      );
    }
    await db.deleteFrom('credentials').where('id', '=', row.id).execute();
    await audit(request, user, 'deleted', row.id);
    return reply.code(204).send();
  });

  for (const action of ['activate', 'deactivate'] as const) {
    app.post(`/:id/${action}/`, async (request) => {
      const user = currentUser(request);
      const { id } = validate(ZId, request.params, 'path');
      const row = await find(user, id);
      if (row.credential_type !== 'gateway') throw notFound('Gateway credential not found.');
      const gid = gatewayIdOf(row);
      const res = await gw(() =>
        gatewayAdmin(services.settings, 'PATCH', `/admin/credentials/${encodeURIComponent(gid)}/${action}`),
      );
      return res ?? { ok: true };
    });
  }

  app.post('/:id/test/', async (request) => {
    const user = currentUser(request);
    const { id } = validate(ZId, request.params, 'path');
    const row = await find(user, id);
    return testCredential(services.settings, load(row));
  });

  app.get('/:id/models/', async (request) => {
    const user = currentUser(request);
    const { id } = validate(ZId, request.params, 'path');
    const row = await find(user, id);
    if (row.credential_type !== 'llm') throw notFound('LLM credential not found.');
    return listModels(services.settings, load(row));
  });
}
