import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from '../helpers/test-app.js';
import { dbKinds } from '../helpers/test-database.js';

const ROUTES: Array<['GET' | 'PATCH' | 'POST', string, unknown]> = [
  ['GET', '/api/v1/settings/', undefined],
  ['PATCH', '/api/v1/settings/', { log_level: 'DEBUG' }],
  ['POST', '/api/v1/settings/recheck-environment/', undefined],
];

describe.each(dbKinds())('settings API (%s)', (kind) => {
  let t: TestApp;
  let normal: TestUser;
  beforeAll(async () => {
    t = await createTestApp(kind);
    normal = await t.makeUser('normal');
  });
  afterAll(async () => t?.close());

  const confFile = () => join(t.services.settings.dataDir, 'conf.json');

  it('answers 401 without a key and 403 to a normal user on every route, changing nothing', async () => {
    for (const [method, url, body] of ROUTES) {
      expect((await t.call(method, url, null, body)).statusCode, `${method} ${url}`).toBe(401);
      const res = await t.call(method, url, normal.key, body);
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect(res.json()).toEqual({ detail: 'Admin access required.' });
    }
    expect(t.services.log.level).toBe('silent');
  });

  it('GET shows config and an environment report with every object the client reads', async () => {
    const res = await t.call('GET', '/api/v1/settings/', t.admin.key);
    expect(res.statusCode).toBe(200);
    const { config, environment, effective } = res.json();
    expect(config).toMatchObject({
      pipelit_dir: t.services.settings.dataDir,
      sandbox_mode: 'auto',
      redis_url: '',
      log_level: 'SILENT',
      log_file: '',
      platform_base_url: 'http://localhost:8000',
      cors_allow_all_origins: true,
      zombie_execution_threshold_seconds: 900,
    });
    expect(typeof config.database_url).toBe('string');
    expect(environment.capabilities.runtimes.node).toMatchObject({ available: true });
    expect(environment.capabilities.shell_tools.bash).toEqual({ available: true, tier: 1 });
    expect(environment.capabilities.network).toEqual({ dns: expect.any(Boolean), http: expect.any(Boolean) });
    expect(typeof environment.gate.passed).toBe('boolean');
    expect(Array.isArray(environment.tier2_warnings)).toBe(true);
    expect(effective).toEqual({
      log_level: 'SILENT',
      zombie_execution_threshold_seconds: 900,
      pid: process.pid,
    });
  });

  it('redacts passwords in URLs, whether set in conf.json or by PATCH', async () => {
    writeFileSync(
      confFile(),
      JSON.stringify({
        database_url: 'postgresql://user:secret@host/db',
        redis_url: 'redis://:pw@cache:6380/0',
      }),
    );
    let res = await t.call('GET', '/api/v1/settings/', t.admin.key);
    expect(res.json().config.database_url).toBe('postgresql://user:***@host/db');
    expect(res.json().config.redis_url).toBe('redis://:***@cache:6380/0');
    expect(res.body).not.toContain('secret');

    res = await t.call('PATCH', '/api/v1/settings/', t.admin.key, {
      database_url: 'postgresql://app:hunter2@db.internal:5433/pipelit',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().config.database_url).toBe('postgresql://app:***@db.internal:5433/pipelit');
    expect(res.body).not.toContain('hunter2');
    expect((await t.call('GET', '/api/v1/settings/', t.admin.key)).body).not.toContain('hunter2');
    // The file keeps the real value (it is the config), written with 2-space indentation.
    const text = readFileSync(confFile(), 'utf8');
    expect(text).toContain('\n  "database_url": "postgresql://app:hunter2@db.internal:5433/pipelit"');
  });

  it('PATCH of the database URL is restart-required and does not change the running process', async () => {
    const before = t.services.settings.database.url;
    const res = await t.call('PATCH', '/api/v1/settings/', t.admin.key, {
      database_url: 'sqlite:///other.db',
      sandbox_mode: 'bwrap',
      cors_allow_all_origins: false,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().hot_reloaded).toEqual([]);
    expect(res.json().restart_required.sort()).toEqual([
      'cors_allow_all_origins',
      'database_url',
      'sandbox_mode',
    ]);
    expect(res.json().config).toMatchObject({ database_url: 'sqlite:///other.db', sandbox_mode: 'bwrap' });
    expect(t.services.settings.database.url).toBe(before);
    expect(JSON.parse(readFileSync(confFile(), 'utf8'))).toMatchObject({
      database_url: 'sqlite:///other.db',
      sandbox_mode: 'bwrap',
      cors_allow_all_origins: false,
    });
  });

  it('PATCH hot-reloads the log level and the zombie threshold in the running process', async () => {
    const res = await t.call('PATCH', '/api/v1/settings/', t.admin.key, {
      log_level: 'warning',
      zombie_execution_threshold_seconds: 0,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().hot_reloaded.sort()).toEqual(['log_level', 'zombie_execution_threshold_seconds']);
    expect(res.json().restart_required).toEqual([]);
    expect(res.json().config).toMatchObject({ log_level: 'WARNING', zombie_execution_threshold_seconds: 0 });
    expect(t.services.log.level).toBe('warn');
    expect(t.services.settings.zombieThresholdSeconds).toBe(0);
    const get = await t.call('GET', '/api/v1/settings/', t.admin.key);
    expect(get.json().effective).toMatchObject({
      log_level: 'WARNING',
      zombie_execution_threshold_seconds: 0,
    });
  });

  it('rejects a bad log level, a negative threshold and bad URLs with 422; an empty PATCH is fine', async () => {
    const bad: unknown[] = [
      { log_level: 'LOUD' },
      { zombie_execution_threshold_seconds: -1 },
      { zombie_execution_threshold_seconds: 1.5 },
      { database_url: 'mysql://x' },
      { redis_url: 'http://x' },
      { sandbox_mode: 'docker' },
    ];
    const before = readFileSync(confFile(), 'utf8');
    for (const body of bad) {
      const res = await t.call('PATCH', '/api/v1/settings/', t.admin.key, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(422);
      expect(res.json().detail[0].loc[0]).toBe('body');
    }
    expect(readFileSync(confFile(), 'utf8')).toBe(before);
    for (const body of [{}, undefined]) {
      const res = await t.call('PATCH', '/api/v1/settings/', t.admin.key, body);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ hot_reloaded: [], restart_required: [] });
    }
  });

  it('POST recheck-environment probes again and returns the report', async () => {
    const res = await t.call('POST', '/api/v1/settings/recheck-environment/', t.admin.key);
    expect(res.statusCode).toBe(200);
    expect(res.json().environment).toMatchObject({
      os: 'Linux',
      gate: { passed: expect.any(Boolean) },
      capabilities: { runtimes: expect.any(Object), shell_tools: expect.any(Object) },
    });
  });
});
