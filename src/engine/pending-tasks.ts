/**
 * Human confirmations: a pending task per paused node, answered through the REST API or the gateway
 * (`/confirm_<id>`, `/cancel_<id>`). The execution's state is in the database, so an answer days
 * later still resumes it.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { fromJson, nowIso, toJson } from '../db/values.js';
import type { GraphNode } from './graph.js';

const DEFAULT_TIMEOUT_SECONDS = 86_400;

/**
 * The pending task for a node about to pause, not stored yet: it is written in the same transaction
 * as the node's waiting state (ExecutionRun.saveWaiting), so an answer never finds one without the
 * other.
 */
export function newPendingTask(input: {
  executionId: string;
  node: GraphNode;
  /** The loop iteration of the waiting node ('' outside loops). */
  iteration: string;
  /** The prompt as rendered for this run; else the node's configured one. */
  prompt?: string;
  userId: number | null;
  chatId: string | null;
  when: 'before' | 'after';
}) {
  const extra = input.node.config.extra_config;
  const isConfirmation = input.node.componentType === 'human_confirmation';
  const prompt = input.prompt
    ? input.prompt
    : isConfirmation && typeof extra.prompt === 'string' && extra.prompt
      ? extra.prompt
      : isConfirmation
        ? 'Please confirm to proceed.'
        : `Confirmation required at node '${input.node.nodeId}' (${input.when} execution).`;
  const timeout = Number(extra.timeout_seconds) > 0 ? Number(extra.timeout_seconds) : DEFAULT_TIMEOUT_SECONDS;
  const onTimeout = ['cancel', 'confirm', 'fail'].includes(String(extra.on_timeout))
    ? String(extra.on_timeout)
    : 'cancel';
  const task = {
    task_id: randomBytes(4).toString('hex'),
    execution_id: input.executionId,
    node_id: input.node.nodeId,
    iteration: input.iteration,
    user_id: input.userId,
    chat_id: input.chatId,
    prompt,
    on_timeout: onTimeout as 'cancel' | 'confirm' | 'fail',
    created_at: nowIso(),
    expires_at: new Date(Date.now() + timeout * 1000).toISOString(),
  };
  return task;
}

export type NewPendingTask = ReturnType<typeof newPendingTask>;

/**
 * Records a person's answer on the waiting node and marks the execution runnable again. Returns false
 * when the execution is not waiting for this node any more.
 */
export async function answerPendingTask(
  db: Kysely<Database>,
  taskId: string,
  answer: string,
): Promise<string | null> {
  return db.transaction().execute(async (trx) => {
    const task = await trx
      .selectFrom('pending_tasks')
      .selectAll()
      .where('task_id', '=', taskId)
      .executeTakeFirst();
    if (!task) return null;
    const node = await trx
      .selectFrom('execution_nodes')
      .select(['id', 'metadata'])
      .where('execution_id', '=', task.execution_id)
      .where('node_id', '=', task.node_id)
      .where('iteration', '=', task.iteration)
      .where('status', '=', 'waiting')
      .executeTakeFirst();
    await trx.deleteFrom('pending_tasks').where('task_id', '=', taskId).execute();
    if (!node) return null;
    const meta = fromJson<Record<string, unknown>>(node.metadata, {});
    meta.resume_input = answer;
    await trx
      .updateTable('execution_nodes')
      .set({ metadata: toJson(meta) })
      .where('id', '=', node.id)
      .execute();
    // The lease stays: a suspended execution holds none, and a run still busy with other branches
    // keeps it (the queued job resumes the execution after that run; see claimExecution).
    const updated = await trx
      .updateTable('executions')
      .set({ status: 'running', wake_at: null })
      .where('execution_id', '=', task.execution_id)
      .where('status', 'in', ['interrupted', 'running'])
      .executeTakeFirst();
    return Number(updated.numUpdatedRows) > 0 ? task.execution_id : null;
  });
}
