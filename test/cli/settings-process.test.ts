/**
 * Settings across real server processes: a hot-reloaded log level reaches every process of
 * `serve --workers 2` through the Redis bus, and an invalid conf.json starts the server on defaults
 * with one warning line. Needs `npm run build` (dist/).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  freePort,
  httpGet,
  type Running,
  runPipelit,
  startPipelit,
  TEST_SECRETS,
  waitForHealth,
} from '../helpers/processes.js';
import { redisUrl } from '../helpers/test-database.js';

const started: Running[] = [];
const dirs: string[] = [];
afterAll(() => {
  for (const r of started) if (r.child.exitCode === null) r.child.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pipelit-settings-'));
  dirs.push(dir);
  return dir;
}

/** One request on a fresh connection (the cluster may route each one to another process). */
function call(port: number, method: string, path: string, key: string, body?: unknown) {
  return new Promise<{ status: number; json: Record<string, any> }>((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method,
        agent: false,
        headers: {
          connection: 'close',
          authorization: `Bearer ${key}`,
          ...(payload
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
            : {}),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (d) => {
          text += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : {} }));
      },
    );
    req.on('error', reject);
    req.setTimeout(15_000, () => req.destroy(new Error('timeout')));
    req.end(payload);
  });
}

describe('settings in server processes', () => {
  it('a PATCHed log level reaches every process of serve --workers 2 without a restart (Redis bus)', async (ctx) => {
    if (!redisUrl()) {
      console.log('skipped: no Redis reachable, so there is no bus between processes to test');
      ctx.skip();
    }
    const cwd = tempDir();
    // Its own Redis key prefix: the rate-limit counters there are shared by both processes.
    const env = {
      ...TEST_SECRETS,
      REDIS_URL: redisUrl(),
      LOG_LEVEL: '',
      PIPELIT_QUEUE_PREFIX: `test-settings-${process.pid}-${Date.now().toString(36)}`,
    };
    const setup = runPipelit(['setup', '--username', 'admin', '--password', 'admin-password'], { cwd, env });
    expect(setup.status, setup.stderr).toBe(0);
    const key = JSON.parse(setup.stdout.trim().split('\n').pop() as string).api_key as string;

    const port = await freePort();
    const run = startPipelit(['serve', '--workers', '2', '--bind', `127.0.0.1:${port}`], { cwd, env });
    started.push(run);
    await waitForHealth(port, run);

    // Both processes answer and run at INFO.
    const levels = new Map<number, string>();
    for (let i = 0; i < 60 && levels.size < 2; i++) {
      const res = await call(port, 'GET', '/api/v1/settings/', key);
      expect(res.status).toBe(200);
      levels.set(res.json.effective.pid, res.json.effective.log_level);
    }
    expect(levels.size).toBe(2);
    expect([...levels.values()]).toEqual(['INFO', 'INFO']);
    const pids = [...levels.keys()];

    const patched = await call(port, 'PATCH', '/api/v1/settings/', key, {
      log_level: 'ERROR',
      zombie_execution_threshold_seconds: 42,
    });
    expect(patched.status).toBe(200);
    expect(patched.json.hot_reloaded.sort()).toEqual(['log_level', 'zombie_execution_threshold_seconds']);

    const seen = new Map<number, { log_level: string; zombie_execution_threshold_seconds: number }>();
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && !pids.every((p) => seen.get(p)?.log_level === 'ERROR')) {
      // Gently: the API's rate limit (600/min, counted across both processes) holds here too.
      await new Promise((r) => setTimeout(r, 50));
      const res = await call(port, 'GET', '/api/v1/settings/', key);
      expect(res.status, JSON.stringify(res.json)).toBe(200);
      seen.set(res.json.effective.pid, res.json.effective);
    }
    for (const pid of pids) {
      expect(seen.get(pid), `process ${pid}`).toEqual({
        log_level: 'ERROR',
        zombie_execution_threshold_seconds: 42,
        pid,
      });
    }
    expect(new Set(pids.map((p) => seen.has(p))).size).toBe(1);

    run.child.kill('SIGTERM');
    expect((await run.exited).code).toBe(0);
  }, 90_000);

  it('an invalid conf.json starts the server on defaults with exactly one warning line', async () => {
    const cwd = tempDir();
    mkdirSync(join(cwd, 'data'));
    writeFileSync(join(cwd, 'data', 'conf.json'), '{"log_level": "DEBUG", oops');
    const port = await freePort();
    const run = startPipelit(['serve', '--bind', `127.0.0.1:${port}`], { cwd, env: { ...TEST_SECRETS } });
    started.push(run);
    await waitForHealth(port, run);
    const health = JSON.parse((await httpGet(port, '/health')).body);
    expect(health).toMatchObject({ status: 'ok', database: true });
    run.child.kill('SIGTERM');
    expect((await run.exited).code).toBe(0);
    const warnings = run
      .output()
      .split('\n')
      .filter((line) => line.includes('conf.json'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^pipelit: warning: ignoring .*conf\.json: not valid JSON/);
  }, 60_000);
});
