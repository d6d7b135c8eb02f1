/**
 * Workspace directories live under `<dataDir>/workspaces/`. A user-supplied path is refused when it
 * has a `..` segment, resolves outside that root, or reaches outside it through a symlink (checked
 * on the real path of its nearest existing ancestor, and again on the directory once created).
 */
import { existsSync, mkdirSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

export class WorkspacePathError extends Error {
  override name = 'WorkspacePathError';
}

export const workspacesRoot = (dataDir: string) => resolve(dataDir, 'workspaces');

function realRoot(root: string): string {
  mkdirSync(root, { recursive: true });
  return realpathSync(root);
}

const inside = (root: string, p: string) => {
  const rel = relative(root, p);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) && !rel.split(sep).includes('..');
};

/** The nearest ancestor of `p` that exists, resolved through symlinks. */
function realAncestor(p: string): { real: string; rest: string } {
  let cur = p;
  let rest = '';
  while (!existsSync(cur)) {
    const parent = dirname(cur);
    rest = rest ? join(cur.slice(parent.length + 1), rest) : cur.slice(parent.length + 1);
    if (parent === cur) break;
    cur = parent;
  }
  return { real: realpathSync(cur), rest };
}

/**
 * The absolute directory for a requested path (relative paths are taken under the root), or an
 * error with the reference's message.
 */
export function checkWorkspacePath(dataDir: string, requested: string): string {
  const root = workspacesRoot(dataDir);
  const refuse = () => new WorkspacePathError(`Workspace path must be under ${root}/`);
  if (!requested || requested.includes('\0')) throw refuse();
  if (requested.split(/[\\/]+/).includes('..')) throw refuse();
  const abs = isAbsolute(requested) ? resolve(requested) : resolve(root, requested);
  if (!inside(root, abs)) throw refuse();
  const { real, rest } = realAncestor(abs);
  const full = rest ? join(real, rest) : real;
  if (!inside(realRoot(root), full)) throw refuse();
  return abs;
}

/** Creates the directory (and `.tmp/`) and re-checks where it really landed. */
export function ensureWorkspaceDir(dataDir: string, path: string): void {
  const abs = checkWorkspacePath(dataDir, path);
  mkdirSync(join(abs, '.tmp'), { recursive: true });
  if (!inside(realRoot(workspacesRoot(dataDir)), realpathSync(abs))) {
    throw new WorkspacePathError(`Workspace path must be under ${workspacesRoot(dataDir)}/`);
  }
}
