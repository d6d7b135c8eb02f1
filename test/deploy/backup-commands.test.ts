/**
 * The backup commands docs/deployment.md gives, run against a live database: `sqlite3 .backup` and
 * `VACUUM INTO` while the database is open, and `pg_dump --format=custom` + `pg_restore` into an
 * empty database. Each copy holds the admin created before it.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createFirstAdmin } from '../../src/auth/create-user.js';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createTestDatabase, postgresUrl, type TestDatabase } from '../helpers/test-database.js';

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const dbs: TestDatabase[] = [];
afterAll(async () => {
  for (const d of dbs) await d.drop();
});

function skipWithout(ctx: { skip: () => void }, cmd: string): boolean {
  if (has(cmd)) return false;
  console.log(`[deploy] backup test skipped: ${cmd} is not installed`);
  ctx.skip();
  return true;
}

describe('backup commands from docs/deployment.md', () => {
  it('sqlite3 .backup and VACUUM INTO copy a database that is open and in use', async (ctx) => {
    if (skipWithout(ctx, 'sqlite3')) return;
    const database = await createTestDatabase('sqlite');
    dbs.push(database);
    const live = openDatabase(database.target);
    await migrateToLatest(live);
    await createFirstAdmin(live.db, database.dir, { username: 'backup-admin', password: 'backup-password' });
    const path = (database.target as { path: string }).path;
    for (const [i, command] of [
      `.backup '${join(database.dir, 'a.db')}'`,
      `VACUUM INTO '${join(database.dir, 'b.db')}'`,
    ].entries()) {
      const res = spawnSync('sqlite3', [path, command], { encoding: 'utf8' });
      expect(res.status, res.stderr).toBe(0);
      const copy = join(database.dir, i === 0 ? 'a.db' : 'b.db');
      const check = spawnSync('sqlite3', [copy, 'select username from users; pragma integrity_check;'], {
        encoding: 'utf8',
      });
      expect(check.stdout.trim().split('\n')).toEqual(['backup-admin', 'ok']);
    }
    await live.close();
  });

  it('pg_dump --format=custom and pg_restore round-trip a database', async (ctx) => {
    if (!postgresUrl()) {
      console.log('[deploy] pg_dump test skipped: no PostgreSQL reachable for this test run');
      ctx.skip();
      return;
    }
    if (skipWithout(ctx, 'pg_dump') || skipWithout(ctx, 'pg_restore')) return;
    const source = await createTestDatabase('postgres');
    const target = await createTestDatabase('postgres');
    dbs.push(source, target);
    const live = openDatabase(source.target);
    await migrateToLatest(live);
    await createFirstAdmin(live.db, source.dir, { username: 'pg-admin', password: 'backup-password' });
    const file = join(source.dir, `pipelit-${randomBytes(3).toString('hex')}.dump`);
    const dump = spawnSync('pg_dump', ['--format=custom', `--file=${file}`, source.url], {
      encoding: 'utf8',
    });
    expect(dump.status, dump.stderr).toBe(0);
    await live.close();
    const restore = spawnSync('pg_restore', ['--no-owner', `--dbname=${target.url}`, file], {
      encoding: 'utf8',
    });
    expect(restore.status, restore.stderr).toBe(0);
    const client = new pg.Client({ connectionString: target.url });
    await client.connect();
    const rows = await client.query('select username from users');
    await client.end();
    expect(rows.rows.map((r) => r.username)).toEqual(['pg-admin']);
  });
});
