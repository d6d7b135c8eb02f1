/**
 * Child executions for the subworkflow node and spawn & await: created under the parent (depth
 * limited), run by the queue like any execution, and read back in request order when all finished.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { fromJson } from '../db/values.js';
import type { ChildRequest } from '../nodes/define-node.js';
import type { Services } from '../services.js';
import { type ExecutionRow, insertExecution } from './execution-store.js';
import type { WorkflowGraph } from './graph.js';

/** Children may nest this deep below the root execution. */
export const MAX_CHILD_DEPTH = 3;

export class ChildExecutionError extends Error {
  override name = 'ChildExecutionError';
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

export async function createChildExecutions(
  deps: Services,
  parent: ExecutionRow,
  parentGraph: WorkflowGraph,
  parentNodeId: string,
  requests: ChildRequest[],
): Promise<string[]> {
  const db = deps.database.db;
  if (parent.depth + 1 > MAX_CHILD_DEPTH) {
    throw new ChildExecutionError(`Child depth limit reached (${MAX_CHILD_DEPTH}).`, 'depth_limit');
  }
  const owner = await db
    .selectFrom('users')
    .select(['id', 'role'])
    .where('id', '=', parentGraph.workflow.ownerId)
    .executeTakeFirst();
  const ids: string[] = [];
  for (const request of requests) {
    const slug = request.workflowSlug === 'self' ? parentGraph.workflow.slug : request.workflowSlug;
    const target = await db
      .selectFrom('workflows')
      .select(['id', 'owner_id', 'is_active'])
      .where('slug', '=', slug)
      .executeTakeFirst();
    // A workflow may only call workflows its owner could run.
    if (!target || (owner?.role !== 'admin' && target.owner_id !== parentGraph.workflow.ownerId)) {
      throw new ChildExecutionError(`Target workflow not found: ${slug}`, 'workflow_not_found');
    }
    let triggerNodeId = request.triggerNodeId ?? null;
    if (!triggerNodeId) {
      const trigger = await db
        .selectFrom('workflow_nodes')
        .select('node_id')
        .where('workflow_id', '=', target.id)
        .where('component_type', '=', 'trigger_workflow')
        .orderBy('id')
        .executeTakeFirst();
      triggerNodeId = trigger?.node_id ?? null;
    }
    const row = await insertExecution(db, {
      workflowId: target.id,
      triggerNodeId,
      userId: parent.user_id,
      payload: request.payload,
      parentExecutionId: parent.execution_id,
      parentNodeId,
      rootExecutionId: parent.root_execution_id ?? parent.execution_id,
      depth: parent.depth + 1,
    });
    ids.push(row.execution_id);
  }
  return ids;
}

export type ChildOutcome =
  | { kind: 'pending' }
  | { kind: 'failed'; error: string }
  | { kind: 'done'; results: unknown[] };

export async function readChildOutcomes(db: Kysely<Database>, ids: string[]): Promise<ChildOutcome> {
  if (ids.length === 0) return { kind: 'done', results: [] };
  const rows = await db
    .selectFrom('executions')
    .select(['execution_id', 'status', 'final_output', 'error_message'])
    .where('execution_id', 'in', ids)
    .execute();
  const byId = new Map(rows.map((r) => [r.execution_id, r]));
  const results: unknown[] = [];
  for (const id of ids) {
    const row = byId.get(id);
    if (!row) return { kind: 'failed', error: `child execution ${id} disappeared` };
    if (row.status === 'failed' || row.status === 'cancelled') {
      return { kind: 'failed', error: row.error_message ?? row.status };
    }
    if (row.status !== 'completed') return { kind: 'pending' };
    results.push(fromJson(row.final_output, null));
  }
  return { kind: 'done', results };
}
