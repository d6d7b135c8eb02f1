/**
 * The sandbox workspace of an AI node (`workspace_id` in its config): a directory, a network switch
 * and environment variables. Only workspaces of the workflow's owner (any, when the owner is an
 * admin) may be used.
 */
import { resolveWorkspace } from '../../workspaces/resolve-workspace.js';
import type { AiNodeContext } from '../ai-node-context.js';

export interface Workspace {
  id: number;
  path: string;
  allowNetwork: boolean;
  env: Record<string, string>;
}

export class WorkspaceError extends Error {
  override name = 'WorkspaceError';
}

export async function loadWorkspace(ai: AiNodeContext, workspaceId: unknown): Promise<Workspace> {
  const id = Number(workspaceId);
  if (!id) {
    throw new WorkspaceError(
      'No sandbox backend available. This tool requires a workspace: choose one in the agent settings (workspace_id).',
    );
  }
  // Ownership, path confinement and env decryption live in the workspaces module.
  const ws = await resolveWorkspace(ai.db, {
    userId: ai.workflow.ownerId,
    workspaceId: id,
    encryptionKey: ai.deps.settings.fieldEncryptionKey,
    dataDir: ai.deps.settings.dataDir,
  }).catch((err: Error) => {
    throw new WorkspaceError(err.message);
  });
  return { id: ws.id, path: ws.root, allowNetwork: ws.allowNetwork, env: ws.env };
}
