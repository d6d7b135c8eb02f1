import type { Kysely } from 'kysely';
import { addIdColumn } from '../migration-helpers.js';

export async function up(db: Kysely<any>): Promise<void> {
  const ts = 'varchar(32)' as const;
  await db.schema
    .createTable('credentials')
    .$call(addIdColumn(db))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('credential_type', 'varchar(16)', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('secrets', 'text')
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('credentials_user_idx').on('credentials').column('user_id').execute();

  await db.schema
    .createTable('conversation_messages')
    .$call(addIdColumn(db))
    .addColumn('thread_id', 'varchar(255)', (c) => c.notNull())
    .addColumn('role', 'varchar(16)', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('execution_id', 'varchar(36)')
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('conversation_messages_thread_idx')
    .on('conversation_messages')
    .columns(['thread_id', 'id'])
    .execute();

  await db.schema
    .createTable('model_pricing')
    .addColumn('model_prefix', 'varchar(255)', (c) => c.primaryKey().notNull())
    .addColumn('input_per_million', 'double precision', (c) => c.notNull())
    .addColumn('output_per_million', 'double precision', (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();

  // Per-execution budgets of a workflow (null = no limit).
  await db.schema.alterTable('workflows').addColumn('budget_tokens', 'integer').execute();
  await db.schema.alterTable('workflows').addColumn('budget_usd', 'double precision').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('workflows').dropColumn('budget_usd').execute();
  await db.schema.alterTable('workflows').dropColumn('budget_tokens').execute();
  await db.schema.dropTable('model_pricing').execute();
  await db.schema.dropTable('conversation_messages').execute();
  await db.schema.dropTable('credentials').execute();
}
