/**
 * The environment report (spec §4.15 `EnvironmentInfo`, §5.7): OS, container, whether bubblewrap can
 * really create a sandbox here, which runtimes and shell tools exist, network reachability, and the
 * gate that sandboxed tools must pass. The probe takes a few seconds at most (every check has a short
 * timeout) and is cached in memory until `recheck`.
 *
 * Differences from the reference, on purpose:
 * - No Alpine rootfs is downloaded (no network is assumed). The sandbox binds the host's /usr and
 *   /etc read-only instead, so `rootfs_ready` is true exactly when bubblewrap works.
 * - The gate passes only with a working bubblewrap: "container" mode would run commands unsandboxed
 *   inside the container, and there is no unsandboxed fallback.
 */
import { execFile } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { arch, platform } from 'node:os';
import { delimiter, join } from 'node:path';

export const TIER1_TOOLS = [
  'bash',
  'python3',
  'pip3',
  'cat',
  'ls',
  'cp',
  'mv',
  'mkdir',
  'rm',
  'chmod',
  'grep',
  'sed',
  'head',
  'tail',
  'wc',
] as const;
export const TIER2_TOOLS = [
  'find',
  'sort',
  'awk',
  'xargs',
  'tee',
  'curl',
  'wget',
  'git',
  'tar',
  'unzip',
  'jq',
  'node',
  'npm',
] as const;
export const RUNTIMES = ['node', 'python3', 'bash', 'pip3', 'npm', 'git'] as const;

export const BWRAP_MISSING_REASON =
  'bwrap is required for sandboxed execution. Install with `apt install bubblewrap`.';
export const MACOS_REASON = 'macOS requires Docker or another container runtime to sandbox code execution.';

export type SandboxMode = 'auto' | 'bwrap' | 'container';

export interface EnvironmentInfo {
  os: string;
  arch: string;
  container: string | null;
  bwrap_available: boolean;
  rootfs_ready: boolean;
  /** Resolved mode: `bwrap`, `container` or `none` (the reference's resolution of SANDBOX_MODE). */
  sandbox_mode: 'bwrap' | 'container' | 'none';
  capabilities: {
    runtimes: Record<string, { available: boolean; version: string | null; path: string | null }>;
    shell_tools: Record<string, { available: boolean; tier: 1 | 2 }>;
    network: { dns: boolean; http: boolean };
  };
  tier1_met: boolean;
  tier2_warnings: string[];
  gate: { passed: boolean; blocked_reason: string | null };
}

/** What the probe looks at; tests replace parts (a PATH without bwrap, no container markers). */
export interface ProbeInputs {
  /** The configured SANDBOX_MODE. */
  sandboxMode: SandboxMode;
  /** Environment variables (PATH, CODESPACES, GITPOD_WORKSPACE_ID, container). */
  env?: NodeJS.ProcessEnv;
  /** Reads a file for container detection (`/.dockerenv`, `/proc/1/cgroup`); null when absent. */
  readFile?: (path: string) => string | null;
  platform?: string;
  /** Host and URL for the network probe (defaults: example.com, http://example.com/). */
  network?: { host: string; url: string; timeoutMs?: number };
}

const defaultReadFile = (path: string): string | null => {
  try {
    return existsSync(path) ? readFileSync(path, 'utf8') : null;
  } catch {
    return null;
  }
};

/** Finds an executable on a PATH string, like `which`. */
export function findExecutable(name: string, pathEnv: string | undefined): string | null {
  for (const dir of (pathEnv ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return null;
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number) {
  return new Promise<{ ok: boolean; out: string }>((resolve) => {
    execFile(
      file,
      args,
      { env, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 },
      (err, stdout, stderr) => {
        resolve({ ok: !err, out: `${stdout}${stderr}`.trim() });
      },
    );
  });
}

/** Container detection in the reference's order. */
export function detectContainer(
  env: NodeJS.ProcessEnv,
  readFile: (p: string) => string | null,
): string | null {
  if (env.CODESPACES === 'true') return 'codespaces';
  if (env.GITPOD_WORKSPACE_ID) return 'gitpod';
  if (readFile('/.dockerenv') !== null) return 'docker';
  if (env.container === 'podman') return 'podman';
  const cgroup = readFile('/proc/1/cgroup') ?? '';
  for (const marker of ['docker', 'kubepods', 'containerd']) if (cgroup.includes(marker)) return marker;
  return null;
}

/** The reference's mode resolution. */
export function resolveSandboxMode(
  mode: SandboxMode,
  bwrap: boolean,
  container: string | null,
): 'bwrap' | 'container' | 'none' {
  if (mode === 'bwrap') return bwrap ? 'bwrap' : 'none';
  if (mode === 'container') return container ? 'container' : 'none';
  if (bwrap) return 'bwrap';
  return container ? 'container' : 'none';
}

/** Whether `bwrap` is on PATH and can actually create a sandbox (user namespaces may be off). */
async function probeBwrap(
  env: NodeJS.ProcessEnv,
): Promise<{ path: string | null; works: boolean; error: string }> {
  const path = findExecutable('bwrap', env.PATH);
  if (!path) return { path, works: false, error: '' };
  const res = await run(
    path,
    ['--ro-bind', '/', '/', '--unshare-all', '--die-with-parent', 'true'],
    env,
    3000,
  );
  return { path, works: res.ok, error: res.ok ? '' : res.out.split('\n')[0] };
}

async function probeRuntime(name: string, env: NodeJS.ProcessEnv) {
  const path = findExecutable(name, env.PATH);
  if (!path) return { available: false, version: null, path: null };
  const res = await run(path, ['--version'], env, 3000);
  const match = /\d+\.\d+(?:\.\d+)?/.exec(res.out);
  return { available: res.ok, version: match ? match[0] : null, path };
}

function withTimeout<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(fallback), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      () => {
        clearTimeout(timer);
        resolve(fallback);
      },
    );
  });
}

/** DNS and HTTP reachability (the sandbox shares the host's network when a workspace allows it). */
async function probeNetwork(opts: { host: string; url: string; timeoutMs?: number }) {
  const ms = opts.timeoutMs ?? 2000;
  const dns = withTimeout(
    lookup(opts.host).then(() => true),
    ms,
    false,
  );
  const http = withTimeout(
    new Promise<boolean>((resolve) => {
      const req = request(opts.url, { method: 'HEAD', timeout: ms }, (res) => {
        res.resume();
        resolve(true);
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve(false));
      req.end();
    }),
    ms + 200,
    false,
  );
  return { dns: await dns, http: await http };
}

function gateOf(
  os: string,
  bwrap: { path: string | null; works: boolean; error: string },
  mode: SandboxMode,
  container: string | null,
) {
  const blocked = (reason: string) => ({ passed: false, blocked_reason: reason });
  if (bwrap.works) {
    if (mode === 'container')
      return blocked(
        'SANDBOX_MODE=container is not supported: commands run only under bubblewrap. Use auto or bwrap.',
      );
    return { passed: true, blocked_reason: null };
  }
  if (os === 'darwin' && !container) return blocked(MACOS_REASON);
  if (bwrap.path)
    return blocked(
      `bwrap is installed but cannot create a sandbox here (${bwrap.error || 'it failed'}); user namespaces may be disabled.`,
    );
  return blocked(BWRAP_MISSING_REASON);
}

/** Runs every check (in parallel, each with a short timeout) and returns the report. */
export async function probeEnvironment(inputs: ProbeInputs): Promise<EnvironmentInfo> {
  const env = inputs.env ?? process.env;
  const readFile = inputs.readFile ?? defaultReadFile;
  const os = inputs.platform ?? platform();
  const container = detectContainer(env, readFile);
  const tools = [...TIER1_TOOLS.map((t) => [t, 1] as const), ...TIER2_TOOLS.map((t) => [t, 2] as const)];
  const [bwrap, runtimeList, network] = await Promise.all([
    probeBwrap(env),
    Promise.all(RUNTIMES.map(async (name) => [name, await probeRuntime(name, env)] as const)),
    probeNetwork(inputs.network ?? { host: 'example.com', url: 'http://example.com/' }),
  ]);
  const shellTools: EnvironmentInfo['capabilities']['shell_tools'] = {};
  for (const [name, tier] of tools) shellTools[name] = { available: !!findExecutable(name, env.PATH), tier };
  const missing = (tier: 1 | 2) =>
    tools.filter(([n, t]) => t === tier && !shellTools[n].available).map(([n]) => n);
  return {
    os: os === 'darwin' ? 'macOS' : os === 'linux' ? 'Linux' : os,
    arch: arch(),
    container,
    bwrap_available: bwrap.works,
    rootfs_ready: bwrap.works,
    sandbox_mode: resolveSandboxMode(inputs.sandboxMode, bwrap.works, container),
    capabilities: { runtimes: Object.fromEntries(runtimeList), shell_tools: shellTools, network },
    // The sandbox sees the host's /usr, so the host's tools are the sandbox's tools.
    tier1_met: missing(1).length === 0,
    tier2_warnings: missing(2),
    gate: gateOf(os, bwrap, inputs.sandboxMode, container),
  };
}

let cached: Promise<EnvironmentInfo> | null = null;
let cachedMode: SandboxMode | null = null;

/** The cached report for this process (probed on first use). */
export function getEnvironment(sandboxMode: SandboxMode): Promise<EnvironmentInfo> {
  if (!cached || cachedMode !== sandboxMode) {
    cachedMode = sandboxMode;
    cached = probeEnvironment({ sandboxMode });
    cached.catch(() => {
      cached = null;
    });
  }
  return cached;
}

/** Probes again and replaces the cached report. */
export function recheckEnvironment(sandboxMode: SandboxMode): Promise<EnvironmentInfo> {
  cached = null;
  return getEnvironment(sandboxMode);
}

/** Throws the gate's blocked reason when sandboxed execution is not possible here. */
export function assertSandboxAvailable(env: EnvironmentInfo): void {
  if (!env.gate.passed) throw new Error(env.gate.blocked_reason ?? 'Sandboxed execution is not available.');
}
