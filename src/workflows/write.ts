/** Writing workflows: node insertion with generated ids, and deletion of a whole workflow. */
import { randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import { nowIso, toInt, toJson } from '../db/values.js';
import { conflict } from '../errors.js';
import type { NodeConfigData } from '../nodes/define-node.js';

type Db = Kysely<Database> | Transaction<Database>;

export interface NodeInsert {
  node_id: string;
  label: string | null;
  component_type: string;
  is_entry_point: boolean;
  interrupt_before: boolean;
  interrupt_after: boolean;
  position_x: number;
  position_y: number;
  config: NodeConfigData;
  subworkflow_id: number | null;
}

export interface EdgeInsert {
  source_node_id: string;
  target_node_id: string;
  edge_type: 'direct' | 'conditional';
  edge_label: string;
  condition_value: string;
  condition_mapping: Record<string, unknown> | null;
  priority: number;
}

export const generatedNodeId = (type: string, bytes = 4) => `${type}_${randomBytes(bytes).toString('hex')}`;

async function nodeExists(db: Db, workflowId: number, nodeId: string): Promise<boolean> {
  const row = await db
    .selectFrom('workflow_nodes')
    .select('id')
    .where('workflow_id', '=', workflowId)
    .where('node_id', '=', nodeId)
    .executeTakeFirst();
  return row !== undefined;
}

/** A free `<type>_<8 hex>` id (10 tries, then one with 16 hex, then 409). */
export async function freeNodeId(db: Db, workflowId: number, type: string): Promise<string> {
  for (let i = 0; i < 10; i += 1) {
    const id = generatedNodeId(type);
    if (!(await nodeExists(db, workflowId, id))) return id;
  }
  const id = generatedNodeId(type, 8);
  if (await nodeExists(db, workflowId, id)) throw conflict('Node id collision after retry.');
  return id;
}

export async function assertNodeIdFree(db: Db, workflowId: number, nodeId: string): Promise<void> {
  if (await nodeExists(db, workflowId, nodeId)) throw conflict(`Node with id '${nodeId}' already exists.`);
}

export async function insertNode(db: Db, workflowId: number, node: NodeInsert): Promise<void> {
  await db
    .insertInto('workflow_nodes')
    .values({
      workflow_id: workflowId,
      node_id: node.node_id,
      label: node.label,
      component_type: node.component_type,
      is_entry_point: node.is_entry_point,
      interrupt_before: node.interrupt_before,
      interrupt_after: node.interrupt_after,
      position_x: node.position_x,
      position_y: node.position_y,
      config: toJson(node.config),
      subworkflow_id: node.subworkflow_id,
      updated_at: nowIso(),
    })
    .execute();
}

export async function insertEdge(db: Db, workflowId: number, edge: EdgeInsert): Promise<number> {
  const row = await db
    .insertInto('workflow_edges')
    .values({
      workflow_id: workflowId,
      source_node_id: edge.source_node_id,
      target_node_id: edge.target_node_id,
      edge_type: edge.edge_type,
      edge_label: edge.edge_label,
      condition_value: edge.condition_value,
      condition_mapping: edge.condition_mapping === null ? null : toJson(edge.condition_mapping),
      priority: edge.priority,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return toInt(row.id);
}

/**
 * Deletes workflows with their nodes and edges in one transaction. Tables added later that reference
 * `workflows.id` with ON DELETE CASCADE / SET NULL are handled by the database (foreign keys are on
 * for SQLite too).
 */
export async function deleteWorkflows(db: Kysely<Database>, ids: number[]): Promise<void> {
  if (!ids.length) return;
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('workflow_edges').where('workflow_id', 'in', ids).execute();
    await trx.deleteFrom('workflow_nodes').where('workflow_id', 'in', ids).execute();
    await trx.deleteFrom('workflows').where('id', 'in', ids).execute();
  });
}
