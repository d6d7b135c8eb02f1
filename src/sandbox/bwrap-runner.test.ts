import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInSandbox } from './bwrap-runner.js';
import { BWRAP_MISSING_REASON, type EnvironmentInfo, probeEnvironment } from './environment.js';

const offline = { host: 'nothing.invalid', url: 'http://127.0.0.1:9/', timeoutMs: 300 };
let env: EnvironmentInfo;
let closedGate: EnvironmentInfo;
let workspace: string;
let outside: string;
let server: Server;
let port: number;

beforeAll(async () => {
  env = await probeEnvironment({ sandboxMode: 'auto', network: offline });
  closedGate = await probeEnvironment({
    sandboxMode: 'auto',
    env: { PATH: '' },
    readFile: () => null,
    network: offline,
  });
  workspace = mkdtempSync(join(tmpdir(), 'pipelit-ws-'));
  outside = mkdtempSync(join(tmpdir(), 'pipelit-outside-'));
  server = createServer((s) => s.end('hello from the host\n'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  rmSync(workspace, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
  await new Promise((r) => server.close(r));
});

const skipUnlessBwrap = (ctx: { skip: () => void }) => {
  if (!env.bwrap_available) {
    console.log(`skipped: bubblewrap cannot run here (${env.gate.blocked_reason})`);
    ctx.skip();
  }
};

describe('bubblewrap runner', () => {
  it('refuses to run when the gate is closed, with the gate reason', async () => {
    await expect(
      runInSandbox({ command: 'true', workspaceDir: workspace, environment: closedGate }),
    ).rejects.toThrow(BWRAP_MISSING_REASON);
  });

  it('runs in /workspace with a cleared environment and writes only there', async (ctx) => {
    skipUnlessBwrap(ctx);
    const target = join(outside, 'escaped.txt');
    const res = await runInSandbox({
      command: `pwd; echo "$HOME|$SECRET_KEY|$GIVEN"; echo data > made.txt; echo x > ${target}; echo x > /etc/pwned; ls ${outside}; echo end`,
      workspaceDir: workspace,
      env: { GIVEN: 'yes' },
      environment: env,
      timeoutMs: 20_000,
    });
    expect(res.stdout.split('\n').slice(0, 2)).toEqual(['/workspace', '/workspace||yes']);
    expect(readFileSync(join(workspace, 'made.txt'), 'utf8')).toBe('data\n');
    expect(existsSync(target)).toBe(false);
    expect(existsSync('/etc/pwned')).toBe(false);
    expect(res.stderr).toMatch(/No such file or directory|Read-only file system/);
    expect(res.stdout).toContain('end');
    expect(res).toMatchObject({ exit_code: 0, timed_out: false, truncated: false });
  });

  it('has no network without allowNetwork, and the host network with it', async (ctx) => {
    skipUnlessBwrap(ctx);
    const command = `exec 3<>/dev/tcp/127.0.0.1/${port} && cat <&3`;
    const closed = await runInSandbox({
      command,
      workspaceDir: workspace,
      environment: env,
      timeoutMs: 20_000,
    });
    expect(closed.exit_code).not.toBe(0);
    expect(closed.stdout).not.toContain('hello from the host');
    const open = await runInSandbox({
      command,
      workspaceDir: workspace,
      environment: env,
      allowNetwork: true,
      timeoutMs: 20_000,
    });
    expect(open.stdout).toContain('hello from the host');
    expect(open.exit_code).toBe(0);
  });

  it('kills a command that runs past the timeout', async (ctx) => {
    skipUnlessBwrap(ctx);
    const started = Date.now();
    const res = await runInSandbox({
      command: 'sleep 100',
      workspaceDir: workspace,
      environment: env,
      timeoutMs: 500,
    });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(res).toMatchObject({ timed_out: true, exit_code: 124 });
  });

  it('truncates output at the limit', async (ctx) => {
    skipUnlessBwrap(ctx);
    const res = await runInSandbox({
      command: 'head -c 50000 /dev/zero | tr "\\0" a; echo done >&2',
      workspaceDir: workspace,
      environment: env,
      maxOutputBytes: 1000,
      timeoutMs: 20_000,
    });
    expect(res.stdout).toBe('a'.repeat(1000));
    expect(res.truncated).toBe(true);
    expect(res.stderr).toBe('done\n');
  });

  it('stops when the AbortSignal fires', async (ctx) => {
    skipUnlessBwrap(ctx);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('cancelled by user')), 300);
    const started = Date.now();
    await expect(
      runInSandbox({
        command: 'sleep 100',
        workspaceDir: workspace,
        environment: env,
        signal: controller.signal,
      }),
    ).rejects.toThrow('cancelled by user');
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
