/**
 * Fewer index writes per execution (each index is a b-tree page written on every insert):
 * - drops `executions_status_idx` (status, heartbeat_at): every query it served filters on a status
 *   first, which `executions_status_created_idx` (status, created_at) serves as well, and it was
 *   rewritten on every heartbeat too;
 * - `executions_parent_idx` only holds child executions (a partial index): top-level ones, nearly all
 *   of them, never need it, and `parent_execution_id = ?` implies the index's condition.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('executions_status_idx').execute();
  await db.schema.dropIndex('executions_parent_idx').execute();
  await db.schema
    .createIndex('executions_parent_idx')
    .on('executions')
    .column('parent_execution_id')
    .where(sql.ref('parent_execution_id'), 'is not', null)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('executions_parent_idx').execute();
  await db.schema
    .createIndex('executions_parent_idx')
    .on('executions')
    .column('parent_execution_id')
    .execute();
  await db.schema
    .createIndex('executions_status_idx')
    .on('executions')
    .columns(['status', 'heartbeat_at'])
    .execute();
}
