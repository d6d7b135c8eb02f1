/**
 * `/api/v1/workspaces` (spec §4.14): list, create, get, update, delete, batch delete, reset and
 * reset-rootfs — always scoped to the caller, admins included (others' workspaces answer 404).
 * Paths are confined to `<dataDir>/workspaces/`; raw env values are stored encrypted.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Selectable } from 'kysely';
import { z } from 'zod';
import type { WorkspacesTable } from '../../db/schema.js';
import { fromJson, nowIso, toBool, toInt, toJson } from '../../db/values.js';
import { AppError, badRequest, conflict, forbidden, notFound } from '../../errors.js';
import { EnvVarKeyError, encryptEnvVars, envVarsOut, ZEnvVar } from '../../workspaces/env-vars.js';
import {
  checkWorkspacePath,
  ensureWorkspaceDir,
  WorkspacePathError,
  workspacesRoot,
} from '../../workspaces/workspace-path.js';
import { currentUser, requireAuthentication } from '../guards.js';
import { ZPage } from '../pagination.js';
import { validate } from '../validate.js';

type WorkspaceRow = Selectable<WorkspacesTable>;

const ZCreate = z.object({
  name: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'may contain only letters, digits, ".", "_" and "-"'),
  path: z.string().max(500).nullish(),
  allow_network: z.boolean().default(false),
  env_vars: z.array(ZEnvVar).max(200).nullish(),
});
const ZUpdate = z.object({
  allow_network: z.boolean().nullish(),
  env_vars: z.array(ZEnvVar).max(200).nullish(),
});
const ZId = z.object({ id: z.coerce.number().int().min(1) });
const ZBatch = z.object({ ids: z.array(z.number().int()).max(1000).default([]) });

/**
 * Network access for a workspace's commands is host access: bubblewrap then shares the host's
 * network, loopback included (its database, Redis, this API). Only administrators may turn it on.
 */
function refuseNetworkUnlessAdmin(user: { role: string }, allowNetwork: boolean | null | undefined): void {
  if (allowNetwork && user.role !== 'admin') {
    throw forbidden(
      "Only an administrator can allow network access: a workspace's commands would share this host's network, its local services included.",
    );
  }
}

export async function workspacesRoutes(app: FastifyInstance): Promise<void> {
  requireAuthentication(app);
  const { db } = app.services.database;
  const { dataDir, fieldEncryptionKey } = app.services.settings;

  const out = (r: WorkspaceRow) => ({
    id: r.id,
    name: r.name,
    path: r.path,
    allow_network: toBool(r.allow_network),
    env_vars: envVarsOut(fieldEncryptionKey, fromJson(r.env_vars, [])),
    created_at: r.created_at,
  });

  const encrypt = (vars: z.infer<typeof ZEnvVar>[]) => {
    try {
      return toJson(encryptEnvVars(fieldEncryptionKey, vars));
    } catch (err) {
      if (err instanceof EnvVarKeyError) throw new AppError(400, err.message, 'BAD_REQUEST');
      throw err;
    }
  };

  const pathOrRefuse = (fn: () => string) => {
    try {
      return fn();
    } catch (err) {
      if (err instanceof WorkspacePathError) throw badRequest(err.message);
      throw err;
    }
  };

  const findOwn = async (userId: number, id: number) => {
    const row = await db
      .selectFrom('workspaces')
      .selectAll()
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (!row) throw notFound('Workspace not found.');
    return row;
  };

  app.get('/', async (request) => {
    const user = currentUser(request);
    const q = validate(ZPage, request.query, 'query');
    const base = db.selectFrom('workspaces').where('user_id', '=', user.id);
    const [rows, total] = await Promise.all([
      base.selectAll().orderBy('id').limit(q.limit).offset(q.offset).execute(),
      base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(out), total: toInt(total.n) };
  });

  app.post('/', async (request, reply) => {
    const user = currentUser(request);
    const body = validate(ZCreate, request.body);
    refuseNetworkUnlessAdmin(user, body.allow_network);
    const path = pathOrRefuse(() =>
      checkWorkspacePath(
        dataDir,
        body.path?.trim() ? body.path.trim() : join(workspacesRoot(dataDir), body.name),
      ),
    );
    const taken = await db
      .selectFrom('workspaces')
      .select('id')
      .where('name', '=', body.name)
      .executeTakeFirst();
    if (taken) throw conflict('Workspace with this name already exists.');
    const envVars = encrypt(body.env_vars ?? []);
    pathOrRefuse(() => {
      ensureWorkspaceDir(dataDir, path);
      return path;
    });
    try {
      const row = await db
        .insertInto('workspaces')
        .values({
          user_id: user.id,
          name: body.name,
          path,
          allow_network: body.allow_network,
          env_vars: envVars,
          created_at: nowIso(),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      reply.status(201);
      return out(row);
    } catch (err) {
      if (/unique|duplicate/i.test(String((err as Error).message))) {
        throw conflict('Workspace with this name already exists.');
      }
      throw err;
    }
  });

  app.post('/batch-delete/', async (request, reply) => {
    const user = currentUser(request);
    const { ids } = validate(ZBatch, request.body);
    if (ids.length) {
      await db
        .deleteFrom('workspaces')
        .where('id', 'in', ids)
        .where('user_id', '=', user.id)
        .where('name', '!=', 'default')
        .execute();
    }
    reply.status(204);
  });

  app.get('/:id/', async (request) => {
    const { id } = validate(ZId, request.params, 'path');
    return out(await findOwn(currentUser(request).id, id));
  });

  app.patch('/:id/', async (request) => {
    const user = currentUser(request);
    const { id } = validate(ZId, request.params, 'path');
    const body = validate(ZUpdate, request.body);
    await findOwn(user.id, id);
    refuseNetworkUnlessAdmin(user, body.allow_network);
    const patch: Partial<Pick<WorkspaceRow, 'allow_network' | 'env_vars'>> = {};
    if (body.allow_network !== undefined && body.allow_network !== null)
      patch.allow_network = body.allow_network;
    if (body.env_vars !== undefined && body.env_vars !== null) patch.env_vars = encrypt(body.env_vars);
    if (Object.keys(patch).length)
      await db.updateTable('workspaces').set(patch).where('id', '=', id).execute();
    return out(await findOwn(user.id, id));
  });

  app.delete('/:id/', async (request, reply) => {
    const user = currentUser(request);
    const { id } = validate(ZId, request.params, 'path');
    const row = await findOwn(user.id, id);
    if (row.name === 'default') throw forbidden('Cannot delete the default workspace.');
    // The directory is kept, as the reference does (files may still be wanted).
    await db.deleteFrom('workspaces').where('id', '=', id).execute();
    reply.status(204);
  });

  app.post('/:id/reset/', async (request) => {
    const user = currentUser(request);
    const { id } = validate(ZId, request.params, 'path');
    const row = await findOwn(user.id, id);
    // Never remove anything outside the workspaces root, whatever the row says.
    const path = pathOrRefuse(() => checkWorkspacePath(dataDir, row.path));
    rmSync(path, { recursive: true, force: true });
    pathOrRefuse(() => {
      ensureWorkspaceDir(dataDir, path);
      return path;
    });
    return { ok: true, message: `Workspace '${row.name}' has been reset.` };
  });

  app.post('/:id/reset-rootfs/', async (request) => {
    const user = currentUser(request);
    const { id } = validate(ZId, request.params, 'path');
    const row = await findOwn(user.id, id);
    const path = pathOrRefuse(() => checkWorkspacePath(dataDir, row.path));
    rmSync(join(path, '.rootfs'), { recursive: true, force: true });
    return {
      ok: true,
      message: `Rootfs cleared for workspace '${row.name}'. Will be re-created on next execution.`,
    };
  });
}
