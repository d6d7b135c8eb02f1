/**
 * The deployment files are valid and agree with each other and with the server's defaults:
 * systemd units pass `systemd-analyze verify` (on temp copies whose paths exist here), the Caddyfile
 * passes `caddy validate`, docker-compose.yml and the Dockerfile have the promised structure, and every
 * `pipelit …` command docs/deployment.md tells operators to run exists.
 * There is no Docker engine on our machines: the container files are checked statically.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadSettings } from '../../src/config.js';
import { BIN, ROOT } from '../helpers/processes.js';

const read = (...parts: string[]) => readFileSync(join(ROOT, ...parts), 'utf8');
const which = (cmd: string) =>
  spawnSync('sh', ['-c', `command -v ${cmd}`])
    .stdout.toString()
    .trim();
const required = process.env.CI === 'true';
const tmp = mkdtempSync(join(tmpdir(), 'pipelit-deploy-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function missing(ctx: { skip: () => void }, tool: string, why: string) {
  if (required) throw new Error(`${tool} is required under CI=true: ${why}`);
  console.log(`[deploy] skipped: ${why}`);
  ctx.skip();
}

/** `--flag value` from a command line. */
function flag(line: string, name: string): string | undefined {
  return new RegExp(`${name}\\s+(\\S+)`).exec(line)?.[1];
}

describe('systemd units', () => {
  for (const unit of ['pipelit.service', 'pipelit-worker.service']) {
    it(`${unit} passes systemd-analyze verify and has the production settings`, (ctx) => {
      const text = read('deploy', 'systemd', unit);
      for (const line of [
        'User=pipelit',
        'Group=pipelit',
        'EnvironmentFile=/opt/pipelit/.env',
        'Restart=always',
        'RestartSec=5',
        'KillSignal=SIGTERM',
        'NoNewPrivileges=yes',
        'ProtectSystem=strict',
        'ReadWritePaths=/opt/pipelit/data',
        'PrivateTmp=yes',
        'WantedBy=multi-user.target',
      ]) {
        expect(text).toContain(line);
      }
      expect(text).toMatch(/^After=.*redis-server\.service.*redis\.service/m);
      const exec = /^ExecStart=(.*)$/m.exec(text)?.[1] ?? '';
      expect(exec.startsWith('/usr/bin/node /opt/pipelit/bin/pipelit.js ')).toBe(true);
      const graceful = Number(flag(exec, '--graceful-timeout'));
      expect(graceful).toBe(30);
      expect(Number(/^TimeoutStopSec=(\d+)/m.exec(text)?.[1])).toBeGreaterThan(graceful);
      if (unit === 'pipelit.service') {
        expect(exec).toContain(
          'serve --workers 4 --bind 127.0.0.1:8000 --timeout 120 --graceful-timeout 30 --access-logfile - --error-logfile -',
        );
      } else {
        expect(exec).toContain('worker workflows --with-scheduler');
        // bubblewrap needs user namespaces and mounts inside them.
        expect(text).not.toMatch(/^(RestrictNamespaces|PrivateUsers|SystemCallFilter)=/m);
      }

      if (!which('systemd-analyze'))
        return missing(ctx, 'systemd-analyze', 'systemd-analyze is not installed');
      // verify needs the binaries and files it names to exist: point them at this checkout.
      const env = join(tmp, `${unit}.env`);
      writeFileSync(env, 'DEBUG=false\n');
      const copy = text
        .replace('/usr/bin/node', process.execPath)
        .replaceAll('/opt/pipelit/bin/pipelit.js', BIN)
        .replace('EnvironmentFile=/opt/pipelit/.env', `EnvironmentFile=${env}`)
        .replace('WorkingDirectory=/opt/pipelit', `WorkingDirectory=${tmp}`)
        .replace('ReadWritePaths=/opt/pipelit/data', `ReadWritePaths=${tmp}`);
      const path = join(tmp, unit);
      writeFileSync(path, copy);
      const res = spawnSync('systemd-analyze', ['verify', path], { encoding: 'utf8' });
      const complaints = res.stderr
        .split('\n')
        .filter((l) => l.includes(unit) && /unknown|ignoring|invalid|failed|not executable|bad/i.test(l));
      expect(complaints, res.stderr).toEqual([]);
      expect(res.status, res.stderr).toBe(0);
    });
  }
});

describe('reverse proxy files', () => {
  it('nginx: WebSocket upgrade, forwarded headers, body limit and timeouts that match the server', () => {
    const conf = read('deploy', 'nginx', 'pipelit.conf');
    const unit = read('deploy', 'systemd', 'pipelit.service');
    const serveTimeout = Number(flag(/^ExecStart=(.*)$/m.exec(unit)?.[1] ?? '', '--timeout'));
    const ws = /location \/ws\/ \{([\s\S]*?)\n {4}\}/.exec(conf)?.[1] ?? '';
    expect(ws).toContain('proxy_set_header Upgrade $http_upgrade;');
    expect(ws).toContain('proxy_set_header Connection "upgrade";');
    expect(ws).toContain('proxy_read_timeout 86400s;');
    const root = /location \/ \{([\s\S]*?)\n {4}\}/.exec(conf)?.[1] ?? '';
    for (const h of [
      'Host $http_host',
      'X-Forwarded-For $proxy_add_x_forwarded_for',
      'X-Forwarded-Proto $scheme',
    ]) {
      expect(root).toContain(`proxy_set_header ${h};`);
      expect(ws).toContain(`proxy_set_header ${h};`);
    }
    const read_ = Number(/proxy_read_timeout (\d+)s;/.exec(root)?.[1]);
    expect(read_).toBeGreaterThan(serveTimeout);
    expect(read_).toBeLessThanOrEqual(serveTimeout + 30);
    const body = /client_max_body_size (\d+)m;/.exec(conf)?.[1];
    expect(Number(body) * 1024 * 1024).toBe(loadSettings({}, tmp).bodyLimitBytes);
    expect(conf).toMatch(/location \^~ \/metrics \{\s*deny all;\s*\}/);
    expect(conf).toContain('upstream pipelit_backend');
    expect(conf).toContain('server 127.0.0.1:8000;');
  });

  it('Caddyfile passes `caddy validate` and blocks /metrics', (ctx) => {
    const text = read('deploy', 'caddy', 'Caddyfile');
    expect(text).toContain('reverse_proxy 127.0.0.1:8000');
    expect(text).toContain('@metrics path /metrics /metrics/*');
    expect(text).toContain('max_size 10MiB');
    expect(loadSettings({}, tmp).bodyLimitBytes).toBe(10 * 1024 * 1024);
    if (!which('caddy')) return missing(ctx, 'caddy', 'caddy is not installed (Debian package `caddy`)');
    const home = join(tmp, 'caddy-home');
    const res = spawnSync(
      'caddy',
      ['validate', '--config', join(ROOT, 'deploy', 'caddy', 'Caddyfile'), '--adapter', 'caddyfile'],
      {
        encoding: 'utf8',
        env: { PATH: process.env.PATH, HOME: home, XDG_DATA_HOME: home, XDG_CONFIG_HOME: home },
      },
    );
    expect(res.status, res.stderr).toBe(0);
    expect(res.stdout + res.stderr).toContain('Valid configuration');
  });
});

describe('container files (no Docker engine here: checked statically)', () => {
  it('docker-compose.yml: server, worker, PostgreSQL and Redis; databases on the internal network only', () => {
    const compose = parse(read('docker-compose.yml'), { merge: true }) as {
      services: Record<
        string,
        { command?: string[]; ports?: string[]; networks?: string[]; env_file?: string; volumes?: string[] }
      >;
      networks: Record<string, { internal?: boolean } | null>;
      volumes: Record<string, unknown>;
    };
    expect(Object.keys(compose.services).sort()).toEqual(['postgres', 'redis', 'server', 'worker']);
    const { server, worker, postgres, redis } = compose.services;
    expect(server.command?.slice(0, 3)).toEqual(['serve', '--workers', '2']);
    expect(server.command).toContain('--timeout');
    expect(server.ports).toEqual(['127.0.0.1:8000:8000']);
    expect(worker.command?.slice(0, 3)).toEqual(['worker', 'workflows', '--with-scheduler']);
    expect(worker.ports).toBeUndefined();
    for (const s of [server, worker]) {
      expect(s.env_file).toBe('.env');
      expect(s.volumes).toContain('pipelit-data:/opt/pipelit/data');
    }
    for (const s of [postgres, redis]) {
      expect(s.ports).toBeUndefined();
      expect(s.networks).toEqual(['internal']);
    }
    expect(compose.networks.internal?.internal).toBe(true);
    expect(Object.keys(compose.volumes).sort()).toEqual(['pipelit-data', 'postgres-data', 'redis-data']);
  });

  it('`docker compose config` accepts the file when the compose plugin exists', (ctx) => {
    const probe = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
    if (probe.status !== 0) {
      console.log('[deploy] `docker compose` is not available here: compose file checked statically only');
      ctx.skip();
      return;
    }
    const res = spawnSync(
      'docker',
      ['compose', '-f', join(ROOT, 'docker-compose.yml'), 'config', '--quiet'],
      {
        encoding: 'utf8',
        cwd: ROOT,
        env: { ...process.env, POSTGRES_PASSWORD: 'x', REDIS_PASSWORD: 'y' },
      },
    );
    expect(res.status, res.stderr).toBe(0);
  });

  it('Dockerfile: multi-stage, native build tools in the build stage, non-root, bubblewrap, health check', () => {
    const text = read('Dockerfile');
    const stages = text.split(/^FROM /m).slice(1);
    expect(stages).toHaveLength(2);
    expect(stages[0]).toMatch(/^node:20\S* AS build/);
    expect(stages[0]).toMatch(/python3 make g\+\+/);
    expect(stages[0]).toContain('npm ci');
    expect(stages[0]).toContain('npm run build');
    expect(stages[0]).toContain('npm prune --omit=dev');
    const runtime = stages[1];
    expect(runtime).toContain('bubblewrap');
    expect(runtime).toMatch(/^USER pipelit$/m);
    expect(runtime).toMatch(/^HEALTHCHECK [\s\S]*\/health/m);
    expect(runtime).not.toMatch(/python3|g\+\+/);
    expect(existsSync(join(ROOT, '.dockerignore'))).toBe(true);
    expect(read('.dockerignore')).toMatch(/^\.env$/m);
  });
});

describe('docs/deployment.md', () => {
  it('names only `pipelit` commands that exist', () => {
    const doc = read('docs', 'deployment.md');
    const commands = new Set<string>();
    for (const m of doc.matchAll(/pipelit\.js ([a-z-]+(?: [a-z-]+)?)|\bpipelit ([a-z-]+(?: info)?)\b/g)) {
      const cmd = (m[1] ?? m[2]).split(' ');
      if (
        ['serve', 'worker', 'migrate', 'setup', 'doctor', 'generate-key', 'queue', 'prune'].includes(cmd[0])
      ) {
        commands.add(cmd[0] === 'queue' ? 'queue info' : cmd[0]);
      }
    }
    expect([...commands].sort()).toEqual(
      expect.arrayContaining(['doctor', 'generate-key', 'migrate', 'queue info', 'serve', 'setup', 'worker']),
    );
    for (const cmd of commands) {
      const res = spawnSync(process.execPath, [BIN, ...cmd.split(' '), '--help'], { encoding: 'utf8' });
      expect(res.status, `${cmd}: ${res.stderr}`).toBe(0);
    }
  });
});
