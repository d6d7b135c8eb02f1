import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import { openServices } from '../../src/boot.js';
import { loadSettings } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import {
  freePort,
  httpGet,
  type Running,
  startPipelit,
  TEST_SECRETS,
  waitForHealth,
} from '../helpers/processes.js';

const dirs: string[] = [];
const started: Running[] = [];
afterAll(() => {
  for (const r of started) if (r.child.exitCode === null) r.child.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'pipelit-spa-'));
  dirs.push(dir);
  return dir;
}

describe('built web app', () => {
  it('serves files, index.html for deep links, and JSON 404s for unknown API paths', async () => {
    const dir = tempDir();
    const dist = join(dir, 'dist');
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Pipelit</title><div id="root"></div>');
    writeFileSync(join(dist, 'assets', 'app.js'), 'console.log(1)');
    const settings = loadSettings(
      {
        DATABASE_URL: `sqlite:///${join(dir, 'db.sqlite')}`,
        PIPELIT_DIR: dir,
        FRONTEND_DIST_PATH: dist,
        LOG_LEVEL: 'silent',
      },
      dir,
    );
    const services = await openServices(settings, silentLogger());
    const app = await buildApp(services);
    try {
      const deep = await app.inject({ method: 'GET', url: '/workflows/some-slug' });
      expect(deep.statusCode).toBe(200);
      expect(deep.body).toContain('<div id="root">');
      expect((await app.inject({ method: 'GET', url: '/' })).body).toContain('<title>Pipelit</title>');
      expect((await app.inject({ method: 'GET', url: '/assets/app.js' })).body).toBe('console.log(1)');
      const api = await app.inject({ method: 'GET', url: '/api/v1/nothing-here/' });
      expect(api.statusCode).toBe(404);
      expect(api.json()).toEqual({ detail: 'Not Found' });
    } finally {
      await app.close();
      await services.queue.close();
      await services.database.close();
    }
  });
});

describe('logging', () => {
  it('writes JSON lines with the process role to LOG_FILE and one access line per request', async () => {
    const cwd = tempDir();
    const logFile = join(cwd, 'logs', 'pipelit.log');
    const port = await freePort();
    const run = startPipelit(['serve', '--bind', `127.0.0.1:${port}`, '--access-logfile', '-'], {
      cwd,
      env: { ...TEST_SECRETS, LOG_FILE: logFile, LOG_LEVEL: 'info' },
    });
    started.push(run);
    await waitForHealth(port, run);
    await httpGet(port, '/health?token=secret-in-url');
    await new Promise((r) => setTimeout(r, 300));
    run.child.kill('SIGTERM');
    await run.exited;
    const lines = readFileSync(logFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.some((l) => l.role === 'Server' && l.msg === 'listening')).toBe(true);
    const access = run
      .output()
      .split('\n')
      .filter((l) => l.includes('"msg":"access"'))
      .map((l) => JSON.parse(l));
    const probe = access.find((a) => a.url.startsWith('/health?'));
    expect(probe).toMatchObject({ method: 'GET', status: 200, role: 'Server' });
    expect(probe.url).toBe('/health?token=[redacted]');
    expect(run.output()).not.toContain('secret-in-url');
  });
});
