import type { Kysely } from 'kysely';
import { addIdColumn } from '../migration-helpers.js';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('workflows')
    .$call(addIdColumn(db))
    .addColumn('owner_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('slug', 'varchar(255)', (c) => c.notNull().unique())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('is_active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('is_public', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('is_default', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('tags', 'text')
    .addColumn('error_handler_workflow_id', 'integer', (c) =>
      c.references('workflows.id').onDelete('set null'),
    )
    .addColumn('forked_from_id', 'integer', (c) => c.references('workflows.id').onDelete('set null'))
    .addColumn('max_execution_seconds', 'integer', (c) => c.notNull().defaultTo(600))
    .addColumn('input_schema', 'text')
    .addColumn('output_schema', 'text')
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('workflows_owner_idx').on('workflows').column('owner_id').execute();

  await db.schema
    .createTable('workflow_nodes')
    .$call(addIdColumn(db))
    .addColumn('workflow_id', 'integer', (c) => c.notNull().references('workflows.id').onDelete('cascade'))
    .addColumn('node_id', 'varchar(255)', (c) => c.notNull())
    .addColumn('label', 'varchar(255)')
    .addColumn('component_type', 'varchar(40)', (c) => c.notNull())
    .addColumn('is_entry_point', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('interrupt_before', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('interrupt_after', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('position_x', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('position_y', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('config', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('subworkflow_id', 'integer', (c) => c.references('workflows.id').onDelete('set null'))
    .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
    .addUniqueConstraint('workflow_nodes_workflow_node_uq', ['workflow_id', 'node_id'])
    .execute();

  await db.schema
    .createTable('workflow_edges')
    .$call(addIdColumn(db))
    .addColumn('workflow_id', 'integer', (c) => c.notNull().references('workflows.id').onDelete('cascade'))
    .addColumn('source_node_id', 'varchar(255)', (c) => c.notNull())
    .addColumn('target_node_id', 'varchar(255)', (c) => c.notNull().defaultTo(''))
    .addColumn('edge_type', 'varchar(15)', (c) => c.notNull().defaultTo('direct'))
    .addColumn('edge_label', 'varchar(20)', (c) => c.notNull().defaultTo(''))
    .addColumn('condition_value', 'varchar(100)', (c) => c.notNull().defaultTo(''))
    .addColumn('condition_mapping', 'text')
    .addColumn('priority', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex('workflow_edges_workflow_idx')
    .on('workflow_edges')
    .column('workflow_id')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('workflow_edges').execute();
  await db.schema.dropTable('workflow_nodes').execute();
  await db.schema.dropTable('workflows').execute();
}
