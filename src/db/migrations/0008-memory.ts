/**
 * Agent memory (spec §11), scoped per workflow owner and per end user: every row carries
 * `owner_id` (the workflow owner) and `end_user_id` (`<channel>:<id>`, '' for rows not about one
 * end user), so one end user's memory never surfaces for another (fix of the global memory, §16.2/25).
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  const ts = 'varchar(32)' as const;
  const owner = (c: any) => c.notNull().references('users.id').onDelete('cascade');

  await db.schema
    .createTable('memory_users')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey().notNull())
    .addColumn('owner_id', 'integer', owner)
    .addColumn('canonical_id', 'varchar(255)', (c) => c.notNull())
    .addColumn('channel', 'varchar(32)', (c) => c.notNull().defaultTo(''))
    .addColumn('display_name', 'varchar(255)')
    .addColumn('telegram_id', 'varchar(64)')
    .addColumn('telegram_username', 'varchar(255)')
    .addColumn('email', 'varchar(255)')
    .addColumn('merged_into_id', 'varchar(36)')
    .addColumn('preferences_cache', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('total_conversations', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_conversation_at', ts)
    .addColumn('first_seen_at', ts, (c) => c.notNull())
    .addColumn('last_seen_at', ts, (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('memory_users_owner_canonical_uq')
    .on('memory_users')
    .columns(['owner_id', 'canonical_id'])
    .unique()
    .execute();
  await db.schema
    .createIndex('memory_users_canonical_idx')
    .on('memory_users')
    .column('canonical_id')
    .execute();

  await db.schema
    .createTable('memory_facts')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey().notNull())
    .addColumn('owner_id', 'integer', owner)
    .addColumn('end_user_id', 'varchar(255)', (c) => c.notNull().defaultTo(''))
    .addColumn('scope', 'varchar(16)', (c) => c.notNull().defaultTo('agent'))
    .addColumn('agent_id', 'varchar(255)', (c) => c.notNull().defaultTo(''))
    .addColumn('session_id', 'varchar(255)', (c) => c.notNull().defaultTo(''))
    .addColumn('key', 'varchar(255)', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('fact_type', 'varchar(32)', (c) => c.notNull().defaultTo('world_knowledge'))
    .addColumn('confidence', 'double precision', (c) => c.notNull().defaultTo(1))
    .addColumn('times_confirmed', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('times_contradicted', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('source_episode_id', 'varchar(36)')
    .addColumn('source_description', 'text')
    .addColumn('access_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_accessed', ts)
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('memory_facts_lookup_idx')
    .on('memory_facts')
    .columns(['owner_id', 'key', 'scope'])
    .execute();
  await db.schema.createIndex('memory_facts_end_user_idx').on('memory_facts').column('end_user_id').execute();

  await db.schema
    .createTable('memory_episodes')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey().notNull())
    .addColumn('owner_id', 'integer', owner)
    .addColumn('end_user_id', 'varchar(255)', (c) => c.notNull().defaultTo(''))
    .addColumn('agent_id', 'varchar(255)', (c) => c.notNull().defaultTo(''))
    .addColumn('session_id', 'varchar(255)', (c) => c.notNull().defaultTo(''))
    .addColumn('workflow_id', 'integer')
    .addColumn('execution_id', 'varchar(36)', (c) => c.notNull().unique())
    .addColumn('trigger_type', 'varchar(64)', (c) => c.notNull().defaultTo(''))
    .addColumn('trigger_input', 'text')
    .addColumn('final_output', 'text')
    .addColumn('success', 'boolean')
    .addColumn('error_code', 'varchar(64)')
    .addColumn('error_message', 'text')
    .addColumn('summary', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('started_at', ts, (c) => c.notNull())
    .addColumn('ended_at', ts)
    .addColumn('duration_ms', 'integer')
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('memory_episodes_user_idx')
    .on('memory_episodes')
    .columns(['owner_id', 'end_user_id', 'started_at'])
    .execute();

  await db.schema
    .createTable('memory_procedures')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey().notNull())
    .addColumn('owner_id', 'integer', owner)
    .addColumn('end_user_id', 'varchar(255)', (c) => c.notNull().defaultTo(''))
    .addColumn('agent_id', 'varchar(255)', (c) => c.notNull().defaultTo(''))
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('trigger_conditions', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('procedure_type', 'varchar(32)', (c) => c.notNull().defaultTo('prompt_template'))
    .addColumn('procedure_content', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('times_used', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('times_succeeded', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('times_failed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('avg_duration_ms', 'double precision', (c) => c.notNull().defaultTo(0))
    .addColumn('last_used_at', ts)
    .addColumn('source', 'varchar(32)', (c) => c.notNull().defaultTo('human_taught'))
    .addColumn('parent_procedure_id', 'varchar(36)')
    .addColumn('is_active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('memory_procedures_owner_idx')
    .on('memory_procedures')
    .columns(['owner_id', 'end_user_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('memory_procedures').execute();
  await db.schema.dropTable('memory_episodes').execute();
  await db.schema.dropTable('memory_facts').execute();
  await db.schema.dropTable('memory_users').execute();
}
