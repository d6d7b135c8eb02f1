/**
 * Runs the real `pipelit` command (from dist/, built by `npm test`) as child processes on
 * 127.0.0.1 ports, for tests of serve, workers and the CLI.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'pipelit.js');

export const TEST_SECRETS = {
  SECRET_KEY: 'process-test-secret-key-long-enough-to-pass',
  FIELD_ENCRYPTION_KEY: 'x0Rb1LF2lXbC4bR6dWTc8XoXz9Xq2Yd3sN1nG2Nf8vE=',
};

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The environment for a child: no inherited PIPELIT/DB settings, plus what the test gives. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn' };
  return { ...env, ...extra };
}

export function startPipelit(args: string[], opts: { cwd: string; env: Record<string, string> }): Running {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd, env: childEnv(opts.env) });
  let out = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => out, exited };
}

export function runPipelit(args: string[], opts: { cwd: string; env: Record<string, string> }) {
  const res = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd,
    env: childEnv(opts.env),
    timeout: 60_000,
  });
  return { status: res.status, stdout: res.stdout.toString(), stderr: res.stderr.toString() };
}

/** GET on a fresh connection (no keep-alive), so the cluster may route each call to another process. */
export function httpGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, agent: false, headers: { connection: 'close' } },
      (res) => {
        let body = '';
        res.on('data', (d) => {
          body += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.end();
  });
}

export async function waitForHealth(port: number, running?: Running, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await httpGet(port, '/health');
      if (res.status === 200) return;
    } catch {}
    if (running && running.child.exitCode !== null) {
      throw new Error(`pipelit exited early (${running.child.exitCode}):\n${running.output()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no healthy server on port ${port} after ${timeoutMs} ms\n${running?.output() ?? ''}`);
}
