/**
 * Cancelling: the row becomes `cancelled` (only from pending, running or interrupted), its waiting
 * confirmations go, its children are cancelled too, and `execution_cancelled` tells the watchers (on
 * the execution's channels) and, on CANCEL_CHANNEL, the process running it, which aborts its nodes
 * (the AbortSignal reaches LLM calls, HTTP and sandboxes).
 */
import { fromJson, nowIso } from '../db/values.js';
import { publishExecutionEvent } from '../realtime/events.js';
import { applySavePolicy } from '../retention/save-policy.js';
import type { Services } from '../services.js';
import { runFinishHooks } from './finish-hooks.js';

/** Internal: every process that runs executions listens here (run-execution.ts, watchCancellations). */
export const CANCEL_CHANNEL = 'engine:cancel';

export async function cancelExecution(
  deps: Services,
  executionId: string,
  reason = 'Cancelled.',
): Promise<boolean> {
  const db = deps.database.db;
  const result = await db
    .updateTable('executions')
    .set({
      status: 'cancelled',
      completed_at: nowIso(),
      lease_owner: null,
      wake_at: null,
      error_message: reason,
    })
    .where('execution_id', '=', executionId)
    .where('status', 'in', ['pending', 'running', 'interrupted'])
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) return false;
  await db.deleteFrom('pending_tasks').where('execution_id', '=', executionId).execute();
  await applySavePolicy(db, executionId);
  const row = await db
    .selectFrom('executions')
    .innerJoin('workflows', 'workflows.id', 'executions.workflow_id')
    .select([
      'workflows.slug',
      'executions.parent_execution_id',
      'executions.workflow_id',
      'executions.trigger_payload',
    ])
    .where('executions.execution_id', '=', executionId)
    .executeTakeFirst();
  await deps.bus.publish(CANCEL_CHANNEL, { type: 'execution_cancelled', execution_id: executionId });
  await publishExecutionEvent(deps.bus, { executionId, workflowSlug: row?.slug }, 'execution_cancelled', {
    execution_id: executionId,
  });
  const children = await db
    .selectFrom('executions')
    .select('execution_id')
    .where('parent_execution_id', '=', executionId)
    .where('status', 'in', ['pending', 'running', 'interrupted'])
    .execute();
  for (const child of children)
    await cancelExecution(deps, child.execution_id, 'Parent execution cancelled.');
  if (row?.parent_execution_id) await deps.queue.enqueue({ executionId: row.parent_execution_id });
  if (row) {
    await runFinishHooks(deps, {
      executionId,
      workflowId: row.workflow_id,
      status: 'cancelled',
      finalOutput: null,
      error: reason,
      trigger: fromJson(row.trigger_payload, {}),
    });
  }
  return true;
}
