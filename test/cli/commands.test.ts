import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isFernetKey } from '../../src/auth/fernet.js';
import { openDatabase } from '../../src/db/database.js';
import { runPipelit, TEST_SECRETS } from '../helpers/processes.js';
import { createTestDatabase, postgresUrl } from '../helpers/test-database.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function schemaOf(url: string, kind: 'sqlite' | 'postgres') {
  const target =
    kind === 'sqlite'
      ? ({ kind, path: url.replace('sqlite:///', ''), url } as const)
      : ({ kind, url } as const);
  const handle = openDatabase(target);
  try {
    const tables = await handle.db.introspection.getTables();
    return tables
      .map(
        (t) =>
          `${t.name}(${t.columns
            .map((c) => `${c.name}${c.isNullable ? '?' : ''}`)
            .sort()
            .join(',')})`,
      )
      .sort();
  } finally {
    await handle.close();
  }
}

describe('pipelit migrate', () => {
  it('gives SQLite and PostgreSQL the same schema, and a second run changes nothing', async (ctx) => {
    if (!postgresUrl()) ctx.skip();
    const schemas: string[][] = [];
    for (const kind of ['sqlite', 'postgres'] as const) {
      const database = await createTestDatabase(kind);
      try {
        const env = { DATABASE_URL: database.url };
        const first = runPipelit(['migrate'], { cwd: database.dir, env });
        expect(first.status, first.stderr).toBe(0);
        expect(first.stdout).toMatch(/^Applied \d+ migration\(s\): 0001-users-keys-workspaces/);
        const second = runPipelit(['migrate'], { cwd: database.dir, env });
        expect(second.stdout.trim()).toBe('Database is up to date.');
        schemas.push(await schemaOf(database.url, kind));
      } finally {
        await database.drop();
      }
    }
    expect(schemas[0]).toEqual(schemas[1]);
    expect(schemas[0].join('\n')).toContain('users(');
  });
});

describe('pipelit setup and generate-key', () => {
  it('creates the first admin once, then reports setup as done', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'pipelit-cli-'));
    dirs.push(cwd);
    const env = { ...TEST_SECRETS };
    const first = runPipelit(['setup', '--username', 'boss', '--password', 'boss-password'], { cwd, env });
    expect(first.status, first.stderr).toBe(0);
    const out = JSON.parse(first.stdout);
    expect(out).toMatchObject({ username: 'boss', setup_completed: true });
    expect(out.api_key.length).toBeGreaterThanOrEqual(32);
    const again = runPipelit(['setup', '--username', 'other', '--password', 'other-password'], { cwd, env });
    expect(JSON.parse(again.stdout)).toEqual({ username: 'boss', setup_completed: true });
    const short = runPipelit(['setup', '--username', 'x', '--password', 'short'], { cwd, env });
    expect(short.status).not.toBe(0);
    expect(short.stderr).toMatch(/--password: must be at least 8 characters/);
  });

  it('prints a valid Fernet key and help for each command', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'pipelit-cli-'));
    dirs.push(cwd);
    const res = runPipelit(['generate-key'], { cwd, env: {} });
    expect(isFernetKey(res.stdout.trim())).toBe(true);
    for (const cmd of ['serve', 'migrate', 'setup', 'generate-key']) {
      const help = runPipelit([cmd, '--help'], { cwd, env: {} });
      expect(help.status).toBe(0);
      expect(help.stdout).toContain(`Usage: pipelit ${cmd}`);
    }
  });
});
