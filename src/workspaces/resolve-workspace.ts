/**
 * The workspace a sandboxed command runs in (run_command, code_execute, deep agents): its directory,
 * network switch (honoured only for administrators' runs) and environment with values decrypted.
 * Only the user's own workspaces (any, when the user is an admin) may be used; the stored path is
 * re-checked against `<dataDir>/workspaces/` so a tampered row cannot point the sandbox elsewhere.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { fromJson, toBool } from '../db/values.js';
import { loadCredentialForOwner, ownerMayUse } from '../llm/credential-store.js';
import { ENV_KEY, rawValue } from './env-vars.js';
import { ensureWorkspaceDir } from './workspace-path.js';

export interface ResolvedWorkspace {
  id: number;
  name: string;
  /** Absolute host directory (exists). */
  root: string;
  allowNetwork: boolean;
  /** Environment variables with values in clear (credential-sourced ones resolved). */
  env: Record<string, string>;
}

export class WorkspaceAccessError extends Error {
  override name = 'WorkspaceAccessError';
}

export interface ResolveWorkspaceOptions {
  /** Whose workspace: the workflow owner at run time. */
  userId: number;
  /** Without it: the user's workspace named `default`, else their first one. */
  workspaceId?: number | null;
  encryptionKey: string;
  dataDir: string;
}

async function isAdmin(db: Kysely<Database>, userId: number): Promise<boolean> {
  const user = await db.selectFrom('users').select('role').where('id', '=', userId).executeTakeFirst();
  return user?.role === 'admin';
}

export async function resolveWorkspace(
  db: Kysely<Database>,
  o: ResolveWorkspaceOptions,
): Promise<ResolvedWorkspace> {
  const row = o.workspaceId
    ? await db.selectFrom('workspaces').selectAll().where('id', '=', o.workspaceId).executeTakeFirst()
    : await db
        .selectFrom('workspaces')
        .selectAll()
        .where('user_id', '=', o.userId)
        .orderBy((eb) => eb.case().when('name', '=', 'default').then(0).else(1).end())
        .orderBy('id')
        .executeTakeFirst();
  if (!row || !(await ownerMayUse(db, o.userId, row.user_id))) {
    throw new WorkspaceAccessError(
      o.workspaceId ? `Workspace ${o.workspaceId} not found.` : 'No workspace found.',
    );
  }
  try {
    ensureWorkspaceDir(o.dataDir, row.path);
  } catch (err) {
    throw new WorkspaceAccessError(`Workspace '${row.name}' is unusable: ${(err as Error).message}`);
  }
  const env: Record<string, string> = {};
  for (const v of fromJson<Array<Record<string, unknown>>>(row.env_vars, [])) {
    const key = String(v.key ?? '');
    if (!ENV_KEY.test(key)) continue;
    if (v.source === 'credential') {
      if (!v.credential_id) continue;
      const cred = await loadCredentialForOwner(db, o.encryptionKey, Number(v.credential_id), o.userId).catch(
        () => null,
      );
      const field = String(v.credential_field || 'api_key');
      const value = cred?.secrets[field] ?? cred?.detail[field];
      if (typeof value === 'string') env[key] = value;
    } else {
      const value = rawValue(o.encryptionKey, v);
      if (value !== null) env[key] = value;
    }
  }
  // Network is host access (see api/workspaces/routes.ts): only for runs of an administrator's
  // workflow, whatever an older row says.
  const allowNetwork = toBool(row.allow_network) && (await isAdmin(db, o.userId));
  return { id: row.id, name: row.name, root: row.path, allowNetwork, env };
}
