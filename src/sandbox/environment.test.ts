import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  assertSandboxAvailable,
  BWRAP_MISSING_REASON,
  detectContainer,
  findExecutable,
  MACOS_REASON,
  probeEnvironment,
  resolveSandboxMode,
} from './environment.js';

const noFiles = () => null;
// Nothing listens on port 9 of 127.0.0.1 and .invalid never resolves: fast, deterministic "no network".
const offline = { host: 'nothing.invalid', url: 'http://127.0.0.1:9/', timeoutMs: 500 };
const hostBwrap = findExecutable('bwrap', process.env.PATH);

const temp = mkdtempSync(join(tmpdir(), 'pipelit-env-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** A PATH with the host's directories minus any that hold bwrap, plus symlinks to the tools we need. */
function pathWithoutBwrap(): string {
  const bin = join(temp, 'bin');
  mkdirSync(bin, { recursive: true });
  const dirs = (process.env.PATH ?? '').split(delimiter).filter((d) => d && !findExecutable('bwrap', d));
  for (const tool of ['node', 'bash', 'python3']) {
    const found = findExecutable(tool, process.env.PATH);
    if (found && !findExecutable(tool, dirs.join(delimiter))) {
      try {
        symlinkSync(found, join(bin, tool));
      } catch {}
    }
  }
  return [bin, ...dirs].join(delimiter);
}

describe('container detection and mode resolution', () => {
  it('detects containers in the reference order', () => {
    expect(detectContainer({ CODESPACES: 'true', GITPOD_WORKSPACE_ID: 'x' }, noFiles)).toBe('codespaces');
    expect(detectContainer({ GITPOD_WORKSPACE_ID: 'x' }, noFiles)).toBe('gitpod');
    expect(detectContainer({}, (p) => (p === '/.dockerenv' ? '' : null))).toBe('docker');
    expect(detectContainer({ container: 'podman' }, noFiles)).toBe('podman');
    expect(detectContainer({}, (p) => (p === '/proc/1/cgroup' ? '1:cpu:/kubepods/abc' : null))).toBe(
      'kubepods',
    );
    expect(detectContainer({}, (p) => (p === '/proc/1/cgroup' ? '0::/' : null))).toBeNull();
  });

  it('resolves SANDBOX_MODE like the reference', () => {
    expect(resolveSandboxMode('auto', true, 'docker')).toBe('bwrap');
    expect(resolveSandboxMode('auto', false, 'docker')).toBe('container');
    expect(resolveSandboxMode('auto', false, null)).toBe('none');
    expect(resolveSandboxMode('bwrap', false, 'docker')).toBe('none');
    expect(resolveSandboxMode('container', true, null)).toBe('none');
    expect(resolveSandboxMode('container', true, 'docker')).toBe('container');
  });
});

describe('environment probe', () => {
  it('without bwrap on PATH and no container: the reference blocked reason, and the assert throws it', async () => {
    const env = await probeEnvironment({
      sandboxMode: 'auto',
      env: { PATH: pathWithoutBwrap() },
      readFile: noFiles,
      network: offline,
    });
    expect(env.bwrap_available).toBe(false);
    expect(env.rootfs_ready).toBe(false);
    expect(env.container).toBeNull();
    expect(env.sandbox_mode).toBe('none');
    expect(env.gate).toEqual({ passed: false, blocked_reason: BWRAP_MISSING_REASON });
    expect(() => assertSandboxAvailable(env)).toThrow(BWRAP_MISSING_REASON);
    expect(env.capabilities.runtimes.node).toMatchObject({ available: true, version: process.versions.node });
    expect(env.capabilities.network).toEqual({ dns: false, http: false });
  });

  it('macOS without a container gets the reference macOS reason', async () => {
    const env = await probeEnvironment({
      sandboxMode: 'auto',
      env: { PATH: pathWithoutBwrap() },
      readFile: noFiles,
      platform: 'darwin',
      network: offline,
    });
    expect(env.os).toBe('macOS');
    expect(env.gate).toEqual({ passed: false, blocked_reason: MACOS_REASON });
  });

  it('never hangs on a network that accepts connections and never answers', async () => {
    const silent = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const { port } = silent.address() as { port: number };
    const started = Date.now();
    const env = await probeEnvironment({
      sandboxMode: 'auto',
      env: { PATH: '' },
      readFile: noFiles,
      network: { host: 'nothing.invalid', url: `http://127.0.0.1:${port}/`, timeoutMs: 300 },
    });
    silent.close();
    expect(Date.now() - started).toBeLessThan(5000);
    expect(env.capabilities.network.http).toBe(false);
    expect(env.capabilities.shell_tools.bash).toEqual({ available: false, tier: 1 });
    expect(env.tier1_met).toBe(false);
    expect(env.tier2_warnings).toContain('jq');
  });

  it('with a working bubblewrap the gate is open', async (ctx) => {
    if (!hostBwrap) {
      console.log('skipped: bwrap is not installed on this machine (apt-get install -y bubblewrap)');
      ctx.skip();
    }
    const env = await probeEnvironment({ sandboxMode: 'auto', network: offline });
    if (!env.bwrap_available) {
      console.log(`skipped: bwrap at ${hostBwrap} cannot create a sandbox here: ${env.gate.blocked_reason}`);
      ctx.skip();
    }
    expect(env).toMatchObject({ bwrap_available: true, rootfs_ready: true, sandbox_mode: 'bwrap' });
    expect(env.gate).toEqual({ passed: true, blocked_reason: null });
    expect(() => assertSandboxAvailable(env)).not.toThrow();
    expect(dirname(hostBwrap as string)).toBeTruthy();
  });
});
