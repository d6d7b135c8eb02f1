import { type Kysely, SqliteAdapter } from 'kysely';
import type { Dialect } from './database.js';

/** Which database a Kysely instance talks to (migrations need it for a few column types). */
export function dialectOf(db: Kysely<any>): Dialect {
  return db.getExecutor().adapter instanceof SqliteAdapter ? 'sqlite' : 'postgres';
}
