/**
 * Opens the main database: SQLite (better-sqlite3, WAL) or PostgreSQL (pg), behind one Kysely type.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDriver from 'better-sqlite3';
import { Kysely, PostgresDialect, type SqliteDatabase, SqliteDialect, type SqliteStatement } from 'kysely';
import pg from 'pg';
import type { DatabaseTarget } from '../config.js';
import type { Database } from './schema.js';
import { BACKSTOP_AUTOCHECKPOINT_PAGES, startWalCheckpointer } from './wal-checkpointer.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Db {
  db: Kysely<Database>;
  dialect: Dialect;
  /** The SQLite file path (or `:memory:`), when the dialect is SQLite. */
  sqlitePath?: string;
  close(): Promise<void>;
}

// better-sqlite3 refuses JS booleans as parameters; store them as 0/1 like SQLite itself does.
const bindable = (params: ReadonlyArray<unknown>) =>
  params.map((p) => (p === true ? 1 : p === false ? 0 : p));

/** Prepared statements are reused: preparing costs more than running most of our queries. */
const STATEMENT_CACHE_SIZE = 500;

function sqliteWithBooleans(raw: SqliteDriver.Database): SqliteDatabase {
  const cache = new Map<string, SqliteDriver.Statement>();
  return {
    close: () => raw.close(),
    prepare(sql: string): SqliteStatement {
      let cached = cache.get(sql);
      if (!cached) {
        cached = raw.prepare(sql);
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
        cache.set(sql, cached);
      }
      const stmt = cached;
      return {
        reader: stmt.reader,
        all: (params) => stmt.all(...bindable(params)),
        run: (params) => stmt.run(...bindable(params)),
        iterate: (params) => stmt.iterate(...bindable(params)),
      };
    },
  };
}

/** The WAL file left on disk once the log restarts (journal_size_limit). */
export const WAL_SIZE_LIMIT_BYTES = 16 * 1024 * 1024;

export function openSqlite(path: string): SqliteDriver.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const raw = new SqliteDriver(path);
  // Must precede the first table: only then does SQLite use incremental vacuum for this file.
  raw.pragma('auto_vacuum = INCREMENTAL');
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL');
  raw.pragma('foreign_keys = ON');
  raw.pragma('busy_timeout = 10000');
  // A burst of writes (an import, a prune) grows the WAL; checkpoints reuse it but never shrink it.
  // When the log restarts after a checkpoint, SQLite truncates a larger file to this size.
  raw.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
  return raw;
}

// PostgreSQL int8 (counts, sums) arrive as strings by default; they fit in a JS number here.
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));

export interface OpenOptions {
  /** PostgreSQL connection pool size. */
  poolSize?: number;
  /**
   * SQLite file: checkpoint the WAL from a worker thread (wal-checkpointer.ts), for long-running
   * processes where a checkpoint on the event loop would stall requests.
   */
  backgroundCheckpoint?: boolean;
}

export function openDatabase(target: DatabaseTarget, opts: OpenOptions = {}): Db {
  if (target.kind === 'sqlite') {
    const raw = openSqlite(target.path);
    const checkpointer =
      opts.backgroundCheckpoint && target.path !== ':memory:' ? startWalCheckpointer(target.path) : undefined;
    if (checkpointer) raw.pragma(`wal_autocheckpoint = ${BACKSTOP_AUTOCHECKPOINT_PAGES}`);
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqliteWithBooleans(raw) }) });
    return {
      db,
      dialect: 'sqlite',
      sqlitePath: target.path,
      async close() {
        // Stopped first: the last connection to close checkpoints and removes the WAL file.
        await checkpointer?.stop();
        await db.destroy();
      },
    };
  }
  const pool = new pg.Pool({ connectionString: target.url, max: opts.poolSize ?? 10 });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', close: () => db.destroy() };
}
