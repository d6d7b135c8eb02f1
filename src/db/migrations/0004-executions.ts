import type { Kysely } from 'kysely';
import { addIdColumn } from '../migration-helpers.js';

export async function up(db: Kysely<any>): Promise<void> {
  const ts = 'varchar(32)' as const;
  await db.schema
    .createTable('executions')
    .addColumn('execution_id', 'varchar(36)', (c) => c.primaryKey().notNull())
    .addColumn('workflow_id', 'integer', (c) => c.notNull().references('workflows.id').onDelete('cascade'))
    .addColumn('trigger_node_id', 'varchar(255)')
    .addColumn('user_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('parent_execution_id', 'varchar(36)', (c) =>
      c.references('executions.execution_id').onDelete('set null'),
    )
    .addColumn('parent_node_id', 'varchar(255)')
    .addColumn('root_execution_id', 'varchar(36)')
    .addColumn('depth', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('thread_id', 'varchar(255)', (c) => c.notNull().defaultTo(''))
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('trigger_payload', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('final_output', 'text')
    .addColumn('error_message', 'text')
    .addColumn('error_code', 'varchar(64)')
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('started_at', ts)
    .addColumn('completed_at', ts)
    .addColumn('deadline_at', ts)
    .addColumn('lease_owner', 'varchar(64)')
    .addColumn('heartbeat_at', ts)
    .addColumn('wake_at', ts)
    .addColumn('recoveries', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('total_input_tokens', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('total_output_tokens', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('total_tokens', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('total_cost_usd', 'double precision', (c) => c.notNull().defaultTo(0))
    .addColumn('llm_calls', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex('executions_workflow_idx')
    .on('executions')
    .columns(['workflow_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('executions_status_idx')
    .on('executions')
    .columns(['status', 'heartbeat_at'])
    .execute();
  await db.schema
    .createIndex('executions_parent_idx')
    .on('executions')
    .column('parent_execution_id')
    .execute();
  await db.schema.createIndex('executions_created_idx').on('executions').column('created_at').execute();

  await db.schema
    .createTable('execution_nodes')
    .$call(addIdColumn(db))
    .addColumn('execution_id', 'varchar(36)', (c) =>
      c.notNull().references('executions.execution_id').onDelete('cascade'),
    )
    .addColumn('node_id', 'varchar(255)', (c) => c.notNull())
    .addColumn('iteration', 'varchar(300)', (c) => c.notNull().defaultTo(''))
    .addColumn('component_type', 'varchar(40)', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('input', 'text')
    .addColumn('output', 'text')
    .addColumn('route', 'varchar(255)')
    .addColumn('error', 'text')
    .addColumn('error_code', 'varchar(64)')
    .addColumn('metadata', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('started_at', ts)
    .addColumn('completed_at', ts)
    .addColumn('duration_ms', 'integer')
    .addColumn('input_tokens', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('output_tokens', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('cost_usd', 'double precision', (c) => c.notNull().defaultTo(0))
    .addColumn('llm_calls', 'integer', (c) => c.notNull().defaultTo(0))
    .addUniqueConstraint('execution_nodes_uq', ['execution_id', 'node_id', 'iteration'])
    .execute();

  await db.schema
    .createTable('pending_tasks')
    .addColumn('task_id', 'varchar(16)', (c) => c.primaryKey().notNull())
    .addColumn('execution_id', 'varchar(36)', (c) =>
      c.notNull().references('executions.execution_id').onDelete('cascade'),
    )
    .addColumn('node_id', 'varchar(255)', (c) => c.notNull())
    .addColumn('user_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('chat_id', 'varchar(255)')
    .addColumn('prompt', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('on_timeout', 'varchar(10)', (c) => c.notNull().defaultTo('cancel'))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('expires_at', ts, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('pending_tasks_execution_idx')
    .on('pending_tasks')
    .column('execution_id')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('pending_tasks').execute();
  await db.schema.dropTable('execution_nodes').execute();
  await db.schema.dropTable('executions').execute();
}
