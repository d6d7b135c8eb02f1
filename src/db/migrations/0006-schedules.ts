import type { Kysely } from 'kysely';

/** Recurring schedules (spec §3.5) plus cron/timezone and the execution of the tick in flight. */
export async function up(db: Kysely<any>): Promise<void> {
  const ts = 'varchar(32)' as const;
  await db.schema
    .createTable('scheduled_jobs')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey().notNull())
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('workflow_id', 'integer', (c) => c.notNull().references('workflows.id').onDelete('cascade'))
    .addColumn('trigger_node_id', 'varchar(255)')
    .addColumn('user_profile_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('interval_seconds', 'integer', (c) => c.notNull())
    .addColumn('cron', 'varchar(255)')
    .addColumn('timezone', 'varchar(64)')
    .addColumn('total_repeats', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_retries', 'integer', (c) => c.notNull().defaultTo(3))
    .addColumn('timeout_seconds', 'integer', (c) => c.notNull().defaultTo(600))
    .addColumn('trigger_payload', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('status', 'varchar(16)', (c) => c.notNull().defaultTo('active'))
    .addColumn('current_repeat', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('current_retry', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_run_at', ts)
    .addColumn('next_run_at', ts)
    .addColumn('run_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('pending_execution_id', 'varchar(36)')
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('scheduled_jobs_status_idx').on('scheduled_jobs').column('status').execute();
  await db.schema
    .createIndex('scheduled_jobs_next_run_idx')
    .on('scheduled_jobs')
    .column('next_run_at')
    .execute();
  await db.schema
    .createIndex('scheduled_jobs_workflow_idx')
    .on('scheduled_jobs')
    .columns(['workflow_id', 'trigger_node_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('scheduled_jobs').execute();
}
