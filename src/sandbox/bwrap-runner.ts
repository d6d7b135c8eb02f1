/**
 * Runs one shell command under bubblewrap: the host's /usr and /etc read-only (merged-/usr symlinks
 * recreated), the workspace read-write at /workspace, a private /tmp, fresh /dev and /proc, every
 * namespace unshared (network only shared when allowed), an empty environment plus what the caller
 * passes, and time and output limits. There is no unsandboxed fallback: when the environment gate is
 * closed the run is refused with the gate's reason.
 */
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, readlinkSync } from 'node:fs';
import { resolve } from 'node:path';
import { assertSandboxAvailable, type EnvironmentInfo, findExecutable } from './environment.js';

export interface SandboxRun {
  /** Run with `bash -c`. */
  command: string;
  /** Host directory mounted read-write at /workspace (must exist). */
  workspaceDir: string;
  allowNetwork?: boolean;
  /** Extra variables inside the sandbox (after the cleared environment). */
  env?: Record<string, string>;
  /** Default 120 s (the reference's default). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Per stream; default 100,000 bytes (the reference's limit). */
  maxOutputBytes?: number;
  /** The environment report whose gate must be open. */
  environment: EnvironmentInfo;
}

export interface SandboxResult {
  stdout: string;
  stderr: string;
  /** 124 on timeout, as the reference (and `timeout(1)`). */
  exit_code: number;
  timed_out: boolean;
  truncated: boolean;
}

const SANDBOX_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The bwrap arguments for one run (exported for inspection in tests). */
export function bwrapArgs(
  run: Pick<SandboxRun, 'command' | 'workspaceDir' | 'allowNetwork' | 'env'>,
): string[] {
  const args: string[] = ['--unshare-all'];
  if (run.allowNetwork) args.push('--share-net');
  args.push('--ro-bind', '/usr', '/usr', '--ro-bind', '/etc', '/etc');
  for (const top of ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32']) {
    if (!existsSync(top)) continue;
    const info = lstatSync(top);
    if (info.isSymbolicLink()) args.push('--symlink', readlinkSync(top), top);
    else args.push('--ro-bind', top, top);
  }
  args.push(
    '--dev',
    '/dev',
    '--proc',
    '/proc',
    '--tmpfs',
    '/tmp',
    '--bind',
    resolve(run.workspaceDir),
    '/workspace',
    '--die-with-parent',
    '--new-session',
    '--clearenv',
    '--setenv',
    'HOME',
    '/workspace',
    '--setenv',
    'PATH',
    SANDBOX_PATH,
    '--setenv',
    'TMPDIR',
    '/tmp',
    '--setenv',
    'LANG',
    'C.UTF-8',
  );
  for (const [key, value] of Object.entries(run.env ?? {})) args.push('--setenv', key, value);
  args.push('--chdir', '/workspace', 'bash', '-c', run.command);
  return args;
}

/** Runs the command in the sandbox; rejects when the gate is closed or the signal aborts. */
export async function runInSandbox(run: SandboxRun): Promise<SandboxResult> {
  assertSandboxAvailable(run.environment);
  const bwrap = findExecutable('bwrap', process.env.PATH);
  if (!bwrap)
    return Promise.reject(
      new Error('bwrap is required for sandboxed execution. Install with `apt install bubblewrap`.'),
    );
  if (!existsSync(run.workspaceDir))
    return Promise.reject(new Error(`Workspace directory does not exist: ${run.workspaceDir}`));
  if (run.signal?.aborted) return Promise.reject(run.signal.reason ?? new Error('aborted'));
  const limit = run.maxOutputBytes ?? 100_000;
  const timeoutMs = run.timeoutMs ?? 120_000;

  return new Promise((resolvePromise, reject) => {
    // detached: its own process group, so a kill reaches everything it started.
    const child = spawn(bwrap, bwrapArgs(run), {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      env: {},
    });
    let truncated = false;
    let timedOut = false;
    let aborted = false;
    const collect = () => {
      const chunks: Buffer[] = [];
      let size = 0;
      return {
        chunks,
        push(data: Buffer) {
          if (size >= limit) {
            truncated = true;
            return;
          }
          const room = limit - size;
          if (data.length > room) {
            truncated = true;
            data = data.subarray(0, room);
          }
          chunks.push(data);
          size += data.length;
        },
      };
    };
    const out = collect();
    const err = collect();
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));

    const kill = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, timeoutMs);
    const onAbort = () => {
      aborted = true;
      kill();
    };
    run.signal?.addEventListener('abort', onAbort, { once: true });

    child.once('error', (e) => {
      clearTimeout(timer);
      run.signal?.removeEventListener('abort', onAbort);
      reject(e);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      run.signal?.removeEventListener('abort', onAbort);
      if (aborted) {
        reject(run.signal?.reason ?? new Error('aborted'));
        return;
      }
      resolvePromise({
        stdout: Buffer.concat(out.chunks).toString('utf8'),
        stderr: Buffer.concat(err.chunks).toString('utf8'),
        exit_code: timedOut ? 124 : (code ?? (signal ? 128 + 9 : 1)),
        timed_out: timedOut,
        truncated,
      });
    });
  });
}
