import type { Kysely } from 'kysely';

/**
 * Execution retention: admin overrides of the env defaults (one row, id 1), a lease row so only one
 * process of a cluster prunes at a time, the per-workflow save policy, and an index for pruning by
 * status and age.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const ts = 'varchar(32)' as const;
  await db.schema
    .createTable('retention_settings')
    .addColumn('id', 'integer', (c) => c.primaryKey().notNull())
    // null = use the environment default; 0 = no limit.
    .addColumn('days_success', 'integer')
    .addColumn('days_failed', 'integer')
    .addColumn('max_count_success', 'integer')
    .addColumn('max_count_failed', 'integer')
    .addColumn('updated_at', ts)
    .addColumn('updated_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .execute();

  await db.schema
    .createTable('maintenance_leases')
    .addColumn('name', 'varchar(64)', (c) => c.primaryKey().notNull())
    .addColumn('owner', 'varchar(64)', (c) => c.notNull())
    .addColumn('expires_at', ts, (c) => c.notNull())
    .addColumn('last_run_at', ts)
    .execute();

  await db.schema
    .alterTable('workflows')
    .addColumn('save_policy', 'varchar(16)', (c) => c.notNull().defaultTo('outputs'))
    .execute();

  await db.schema
    .createIndex('executions_status_created_idx')
    .on('executions')
    .columns(['status', 'created_at'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('executions_status_created_idx').execute();
  await db.schema.alterTable('workflows').dropColumn('save_policy').execute();
  await db.schema.dropTable('maintenance_leases').execute();
  await db.schema.dropTable('retention_settings').execute();
}
