/** Column helpers shared by migrations, so each dialect gets its own spelling. */
import type { CreateTableBuilder, Kysely } from 'kysely';
import { dialectOf } from './dialect-of.js';

/** An autoincrement integer primary key `id`: SQLite `integer … autoincrement`, PostgreSQL `serial`. */
export function addIdColumn(db: Kysely<any>) {
  const sqlite = dialectOf(db) === 'sqlite';
  return <T extends string, C extends string>(table: CreateTableBuilder<T, C>) =>
    sqlite
      ? table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement().notNull())
      : table.addColumn('id', 'serial', (c) => c.primaryKey());
}
