/**
 * Migration 0010: executions carry fewer indexes (each one is a page written per insert) and the
 * queries that used the dropped or narrowed ones still find an index.
 */
import { type Kysely, Migrator, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { migrations } from '../../src/db/migrations/index.js';
import { createTestDatabase, dbKinds, type TestDatabase } from '../helpers/test-database.js';

let database: TestDatabase | undefined;
afterEach(async () => {
  await database?.drop();
  database = undefined;
});

async function indexes(db: Kysely<any>, kind: string): Promise<Record<string, string>> {
  const { rows } =
    kind === 'sqlite'
      ? await sql<{ name: string; def: string }>`
          select name, coalesce(sql, '') as def from sqlite_master
          where type = 'index' and tbl_name = 'executions'`.execute(db)
      : await sql<{ name: string; def: string }>`
          select indexname as name, indexdef as def from pg_indexes where tablename = 'executions'`.execute(
          db,
        );
  return Object.fromEntries(rows.map((r) => [r.name, r.def]));
}

async function plan(db: Kysely<any>, kind: string, query: string): Promise<string> {
  if (kind === 'sqlite') {
    const { rows } = await sql<{ detail: string }>`${sql.raw(`explain query plan ${query}`)}`.execute(db);
    return rows.map((r) => r.detail).join('\n');
  }
  // A near-empty table is scanned whatever the indexes; ask which index the planner can use.
  return db.connection().execute(async (conn) => {
    await sql`set enable_seqscan = off`.execute(conn);
    const { rows } = await sql<{ 'QUERY PLAN': string }>`${sql.raw(`explain ${query}`)}`.execute(conn);
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  });
}

describe.each(dbKinds())('execution indexes on %s', (kind) => {
  it('keeps child lookups and status scans indexed, with a partial parent index and no status/heartbeat index', async () => {
    database = await createTestDatabase(kind);
    const handle = openDatabase(database.target);
    const { db } = handle;
    try {
      await migrateToLatest(handle);
      const found = await indexes(db, kind);
      expect(found.executions_status_idx).toBeUndefined();
      expect(found.executions_parent_idx).toMatch(/where .*parent_execution_id.* is not null/i);
      expect(
        await plan(db, kind, "select execution_id from executions where parent_execution_id = 'x'"),
      ).toMatch(/executions_parent_idx/);
      // The reaper's scan of running executions with a stale heartbeat.
      expect(
        await plan(
          db,
          kind,
          "select execution_id from executions where status = 'running' and lease_owner is not null and heartbeat_at < '2026-01-01'",
        ),
      ).toMatch(/executions_status_created_idx/);

      // And back down: the previous indexes return.
      const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
      const down = await migrator.migrateTo('0009-graph-version');
      expect(down.error).toBeUndefined();
      const before = await indexes(db, kind);
      expect(before.executions_status_idx).toBeTruthy();
      expect(before.executions_parent_idx).not.toMatch(/is not null/i);
    } finally {
      await handle.close();
    }
  });
});
