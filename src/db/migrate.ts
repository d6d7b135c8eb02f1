/**
 * Applies pending migrations. Safe when several processes start at once on one empty database:
 * PostgreSQL serialises through an advisory lock; on SQLite a migration that lost the race with
 * another process is rolled back and retried.
 */
import { type Kysely, type MigrationResultSet, Migrator, sql } from 'kysely';
import type { Db } from './database.js';
import { migrations } from './migrations/index.js';
import type { Database } from './schema.js';

const PG_LOCK_KEY = 727_001; // arbitrary, constant across releases

export interface MigrateOutcome {
  applied: string[];
}

function migratorFor(db: Kysely<any>) {
  return new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    allowUnorderedMigrations: true,
  });
}

function unwrap(result: MigrationResultSet): string[] {
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    const where = failed ? ` (migration ${failed.migrationName})` : '';
    const err = result.error instanceof Error ? result.error : new Error(String(result.error));
    err.message = `database migration failed${where}: ${err.message}`;
    throw err;
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

// Another process migrating at the same moment shows up as a busy database, or — when it committed
// between our reading the migration list and our first statement — as a table that already exists.
// Our transaction was rolled back either way; trying again sees the other process's work.
const isRaceWithAnotherProcess = (err: unknown) =>
  /SQLITE_BUSY|database is locked|already exists/i.test(String((err as Error)?.message ?? err));

export async function migrateToLatest(handle: Db): Promise<MigrateOutcome> {
  if (handle.dialect === 'postgres') {
    return handle.db.connection().execute(async (conn: Kysely<Database>) => {
      await sql`select pg_advisory_lock(${PG_LOCK_KEY})`.execute(conn);
      try {
        return { applied: unwrap(await migratorFor(conn).migrateToLatest()) };
      } finally {
        await sql`select pg_advisory_unlock(${PG_LOCK_KEY})`.execute(conn);
      }
    });
  }
  for (let attempt = 0; ; attempt++) {
    try {
      return { applied: unwrap(await migratorFor(handle.db).migrateToLatest()) };
    } catch (err) {
      if (!isRaceWithAnotherProcess(err) || attempt >= 100) throw err;
      await new Promise((r) => setTimeout(r, 20 + Math.random() * 80));
    }
  }
}

/** Names of migrations not yet applied (for `pipelit migrate --dry-run` and health). */
export async function pendingMigrations(handle: Db): Promise<string[]> {
  const all = await migratorFor(handle.db).getMigrations();
  return all.filter((m) => !m.executedAt).map((m) => m.name);
}
