/**
 * Error routing at workflow level: when an execution fails and its workflow names an error-handler
 * workflow, that workflow's error trigger starts with the failure as payload.
 */
import type { Services } from '../services.js';
import type { ExecutionRow } from './execution-store.js';
import type { WorkflowGraph } from './graph.js';
import { startExecution } from './start-execution.js';

export async function startErrorHandler(
  deps: Services,
  failed: ExecutionRow,
  graph: WorkflowGraph,
  failure: { message: string; code: string; nodeId: string | null },
): Promise<string | null> {
  const handlerId = graph.workflow.errorHandlerWorkflowId;
  if (!handlerId) return null;
  const db = deps.database.db;
  // An error handler that fails must not start itself again.
  const firedBy = failed.trigger_node_id
    ? graph.nodes.find((n) => n.nodeId === failed.trigger_node_id)?.componentType
    : undefined;
  if (firedBy === 'trigger_error' && handlerId === graph.workflow.id) return null;
  const trigger = await db
    .selectFrom('workflow_nodes')
    .select('node_id')
    .where('workflow_id', '=', handlerId)
    .where('component_type', '=', 'trigger_error')
    .orderBy('id')
    .executeTakeFirst();
  if (!trigger) return null;
  const row = await startExecution(deps, {
    workflowId: handlerId,
    triggerNodeId: trigger.node_id,
    userId: failed.user_id,
    payload: {
      error: {
        message: failure.message,
        error_code: failure.code,
        source_node_id: failure.nodeId,
        execution_id: failed.execution_id,
        workflow_slug: graph.workflow.slug,
      },
    },
  });
  return row.execution_id;
}
