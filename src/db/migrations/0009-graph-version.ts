/**
 * `workflows.graph_version` counts changes to a workflow's nodes and edges, so a process can keep a
 * loaded graph and reuse it while the number is unchanged. Database triggers bump it, so no write
 * path (API, import, agent tools, a manual SQL fix) can forget to.
 */
import { type Kysely, sql } from 'kysely';
import { dialectOf } from '../dialect-of.js';

const TABLES = ['workflow_nodes', 'workflow_edges'] as const;
const EVENTS = ['insert', 'update', 'delete'] as const;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('workflows')
    .addColumn('graph_version', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  if (dialectOf(db) === 'sqlite') {
    for (const table of TABLES) {
      for (const event of EVENTS) {
        const row = event === 'delete' ? 'old' : 'new';
        await sql
          .raw(
            `create trigger ${table}_${event}_graph_version after ${event} on ${table} begin ` +
              `update workflows set graph_version = graph_version + 1 where id = ${row}.workflow_id; end`,
          )
          .execute(db);
      }
    }
    return;
  }
  await sql`
    create function bump_graph_version() returns trigger language plpgsql as $$
    begin
      update workflows set graph_version = graph_version + 1
        where id = (case when tg_op = 'DELETE' then old.workflow_id else new.workflow_id end);
      return null;
    end $$`.execute(db);
  for (const table of TABLES) {
    await sql
      .raw(
        `create trigger ${table}_graph_version after insert or update or delete on ${table} ` +
          'for each row execute function bump_graph_version()',
      )
      .execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) === 'sqlite') {
    for (const table of TABLES) {
      for (const event of EVENTS) await sql.raw(`drop trigger ${table}_${event}_graph_version`).execute(db);
    }
  } else {
    for (const table of TABLES) await sql.raw(`drop trigger ${table}_graph_version on ${table}`).execute(db);
    await sql`drop function bump_graph_version()`.execute(db);
  }
  await db.schema.alterTable('workflows').dropColumn('graph_version').execute();
}
