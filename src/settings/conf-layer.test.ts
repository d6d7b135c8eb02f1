import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadSettings, readEnvironment } from '../config.js';
import { readConfJson, writeConfJson } from './conf-json.js';
import { withConfJson } from './conf-layer.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  vi.restoreAllMocks();
});
function project(conf?: string, dotenv?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'pipelit-conf-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'data'));
  if (conf !== undefined) writeFileSync(join(dir, 'data', 'conf.json'), conf);
  if (dotenv !== undefined) writeFileSync(join(dir, '.env'), dotenv);
  return dir;
}

describe('conf.json layer', () => {
  it('provides values below the environment and .env: env > .env > conf.json > defaults', () => {
    const cwd = project(
      JSON.stringify({
        log_level: 'ERROR',
        zombie_execution_threshold_seconds: 30,
        platform_base_url: 'https://conf.example',
        redis_url: 'redis://conf:6379',
        cors_allow_all_origins: false,
      }),
      'LOG_LEVEL=debug\nPLATFORM_BASE_URL=https://dotenv.example\n',
    );
    const env = readEnvironment({ PLATFORM_BASE_URL: 'https://env.example', REDIS_URL: '' }, cwd);
    const s = loadSettings(env, cwd);
    expect(s.platformBaseUrl).toBe('https://env.example'); // environment wins
    expect(s.logLevel).toBe('debug'); // .env beats conf.json
    expect(s.zombieThresholdSeconds).toBe(30); // conf.json beats the default
    expect(s.redisUrl).toBe('redis://conf:6379'); // an empty variable does not hide conf.json
    expect(s.corsAllowAllOrigins).toBe(false);
    expect(s.sandboxMode).toBe('auto'); // default
  });

  it('honours 0 for the zombie threshold from conf.json', () => {
    const cwd = project(JSON.stringify({ zombie_execution_threshold_seconds: 0 }));
    expect(loadSettings({}, cwd).zombieThresholdSeconds).toBe(0);
  });

  it.each([
    ['bad JSON', '{ not json'],
    ['a bad value', JSON.stringify({ log_level: 'LOUD', zombie_execution_threshold_seconds: 5 })],
    ['a negative threshold', JSON.stringify({ zombie_execution_threshold_seconds: -1 })],
    ['a bad database URL', JSON.stringify({ database_url: 'foo' })],
  ])('ignores a file with %s: defaults, one warning line, no crash', (_name, text) => {
    const cwd = project(text);
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const s = loadSettings({}, cwd);
    loadSettings({}, cwd); // a second load in the same process does not repeat the warning
    expect(s.zombieThresholdSeconds).toBe(900);
    expect(s.logLevel).toBe('info');
    expect(s.database.kind).toBe('sqlite');
    expect(write.mock.calls.length).toBe(1);
    const line = String(write.mock.calls[0][0]);
    expect(line).toMatch(/^pipelit: warning: ignoring .*conf\.json.*\n$/);
    expect(line.trim().split('\n')).toHaveLength(1);
    expect(withConfJson({ LOG_LEVEL: 'warn' }, cwd)).toEqual({ LOG_LEVEL: 'warn' });
  });

  it('saves with 2-space indentation, creating the directory, and reads back', () => {
    const dir = join(project(), 'nested', 'deeper');
    const conf = { ...readConfJson(dir).conf, log_level: 'DEBUG' };
    writeConfJson(dir, conf);
    const text = readFileSync(join(dir, 'conf.json'), 'utf8');
    expect(text).toContain('\n  "log_level": "DEBUG"');
    expect(readConfJson(dir)).toMatchObject({
      exists: true,
      conf: { log_level: 'DEBUG', sandbox_mode: 'auto' },
    });
  });
});
