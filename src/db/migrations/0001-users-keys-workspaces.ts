import type { Kysely } from 'kysely';
import { addIdColumn } from '../migration-helpers.js';

export async function up(db: Kysely<any>): Promise<void> {
  const bool = 'boolean' as const;

  await db.schema
    .createTable('users')
    .$call(addIdColumn(db))
    .addColumn('username', 'varchar(150)', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('first_name', 'varchar(150)', (c) => c.notNull().defaultTo(''))
    .addColumn('last_name', 'varchar(150)', (c) => c.notNull().defaultTo(''))
    .addColumn('role', 'varchar(10)', (c) => c.notNull().defaultTo('normal'))
    .addColumn('external_user_id', 'varchar(255)', (c) => c.unique())
    .addColumn('totp_secret', 'text')
    .addColumn('mfa_enabled', bool, (c) => c.notNull().defaultTo(false))
    .addColumn('totp_last_used_step', 'bigint')
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('deleted_at', 'varchar(32)')
    .execute();

  await db.schema
    .createTable('api_keys')
    .$call(addIdColumn(db))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'varchar(100)', (c) => c.notNull().defaultTo('default'))
    .addColumn('key_hash', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('prefix', 'varchar(8)', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('last_used_at', 'varchar(32)')
    .addColumn('expires_at', 'varchar(32)')
    .addColumn('is_active', bool, (c) => c.notNull().defaultTo(true))
    .execute();
  await db.schema.createIndex('api_keys_user_idx').on('api_keys').column('user_id').execute();

  await db.schema
    .createTable('workspaces')
    .$call(addIdColumn(db))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'varchar(100)', (c) => c.notNull().unique())
    .addColumn('path', 'varchar(500)', (c) => c.notNull())
    .addColumn('allow_network', bool, (c) => c.notNull().defaultTo(false))
    .addColumn('env_vars', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('workspaces').execute();
  await db.schema.dropTable('api_keys').execute();
  await db.schema.dropTable('users').execute();
}
