/**
 * Drops `executions_status_idx` (status, heartbeat_at). Every query it served filters on a status
 * first, which `executions_status_created_idx` (status, created_at) serves as well; meanwhile it cost
 * a b-tree write on every execution insert, finish and heartbeat.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('executions_status_idx').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('executions_status_idx')
    .on('executions')
    .columns(['status', 'heartbeat_at'])
    .execute();
}
