/**
 * A confirmation inside a loop body belongs to one iteration: the pending task records which, so an
 * answer resumes that iteration's node (`execution_nodes.iteration`), not the main scope's.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('pending_tasks')
    .addColumn('iteration', 'varchar(255)', (c) => c.notNull().defaultTo(''))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('pending_tasks').dropColumn('iteration').execute();
}
