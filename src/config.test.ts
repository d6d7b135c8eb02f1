import { describe, expect, it } from 'vitest';
import { ConfigError, loadSettings, parseDatabaseUrl, parseDotenv } from './config.js';

describe('settings', () => {
  it('defaults to embedded mode with SQLite under ./data', () => {
    const s = loadSettings({}, '/srv/app');
    expect(s.database).toEqual({
      kind: 'sqlite',
      path: '/srv/app/data/pipelit.db',
      url: 'sqlite:////srv/app/data/pipelit.db',
    });
    expect(s.redisUrl).toBe('');
    expect(s.dataDir).toBe('/srv/app/data');
    expect(s.zombieThresholdSeconds).toBe(900);
    expect(s.debug).toBe(false);
  });

  it('accepts the reference DATABASE_URL forms', () => {
    expect(parseDatabaseUrl('sqlite:////opt/p/db.sqlite3', '/x')).toMatchObject({
      kind: 'sqlite',
      path: '/opt/p/db.sqlite3',
    });
    expect(parseDatabaseUrl('sqlite:///rel/db.sqlite3', '/x')).toMatchObject({
      kind: 'sqlite',
      path: '/x/rel/db.sqlite3',
    });
    expect(parseDatabaseUrl('postgresql://u:p@h/db', '/x')).toEqual({
      kind: 'postgres',
      url: 'postgresql://u:p@h/db',
    });
  });

  it('names the variable in one line when a value is bad', () => {
    expect(() => loadSettings({ DATABASE_URL: 'foo' })).toThrow(/^DATABASE_URL: /);
    expect(() => loadSettings({ DEBUG: 'maybe' })).toThrow(/^DEBUG: must be true or false/);
    expect(() => loadSettings({ ZOMBIE_EXECUTION_THRESHOLD_SECONDS: '-5' })).toThrow(
      /^ZOMBIE_EXECUTION_THRESHOLD_SECONDS: /,
    );
    expect(() => loadSettings({ REDIS_URL: 'http://x' })).toThrow(/^REDIS_URL: /);
    expect(() => loadSettings({ LOG_LEVEL: 'loud' })).toThrow(ConfigError);
    for (const bad of ['foo', 'mysql://x']) {
      try {
        loadSettings({ DATABASE_URL: bad });
      } catch (err) {
        expect((err as Error).message).not.toContain('\n');
      }
    }
  });

  it('honours 0 for the zombie threshold and maps Python log level names', () => {
    const s = loadSettings({ ZOMBIE_EXECUTION_THRESHOLD_SECONDS: '0', LOG_LEVEL: 'WARNING' });
    expect(s.zombieThresholdSeconds).toBe(0);
    expect(s.logLevel).toBe('warn');
  });

  it('parses dotenv files (comments, quotes, export)', () => {
    expect(parseDotenv('# c\nA=1\nexport B="two words"\nC=\'x\' \nD=v # note\n')).toEqual({
      A: '1',
      B: 'two words',
      C: 'x',
      D: 'v',
    });
  });
});

describe('.env.example', () => {
  it('lists every supported variable', async () => {
    const { readFileSync } = await import('node:fs');
    const { SETTING_NAMES } = await import('./config.js');
    const example = parseDotenv(readFileSync(new URL('../.env.example', import.meta.url), 'utf8'));
    expect(Object.keys(example).sort()).toEqual([...SETTING_NAMES].sort());
  });
});
