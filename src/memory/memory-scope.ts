/**
 * Where a memory read or write of one execution lands: the workflow owner, the agent
 * (`workflow:<id>` — not the execution-id prefix, fix of §16.2/25), the execution and its end user.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { fromJson } from '../db/values.js';
import { type EndUser, resolveEndUser } from './end-user.js';

export interface MemoryScope {
  db: Kysely<Database>;
  ownerId: number;
  workflowId: number;
  agentId: string;
  executionId: string;
  /** Conversation thread of the execution (session-scoped facts). */
  sessionId: string;
  triggerType: string | null;
  trigger: Record<string, unknown>;
  platformUserId: number | null;
  startedAt: string;
  endUser: EndUser | null;
}

export const agentIdOf = (workflowId: number) => `workflow:${workflowId}`;

/** Loads the scope of an execution; `payload`/`channel` override what identifies the end user. */
export async function loadMemoryScope(
  db: Kysely<Database>,
  executionId: string,
  opts: { payload?: Record<string, unknown>; channel?: string } = {},
): Promise<MemoryScope> {
  const row = await db
    .selectFrom('executions')
    .innerJoin('workflows', 'workflows.id', 'executions.workflow_id')
    .leftJoin('workflow_nodes', (j) =>
      j
        .onRef('workflow_nodes.workflow_id', '=', 'executions.workflow_id')
        .onRef('workflow_nodes.node_id', '=', 'executions.trigger_node_id'),
    )
    .select([
      'executions.workflow_id',
      'executions.user_id',
      'executions.trigger_payload',
      'executions.thread_id',
      'executions.started_at',
      'executions.created_at',
      'workflows.owner_id',
      'workflow_nodes.component_type',
    ])
    .where('executions.execution_id', '=', executionId)
    .executeTakeFirst();
  if (!row) throw new Error(`Execution ${executionId} not found.`);
  const trigger = fromJson<Record<string, unknown>>(row.trigger_payload, {});
  const payload = opts.payload ?? trigger;
  return {
    db,
    ownerId: row.owner_id,
    workflowId: row.workflow_id,
    agentId: agentIdOf(row.workflow_id),
    executionId,
    sessionId: row.thread_id || executionId,
    triggerType: row.component_type ?? null,
    trigger,
    platformUserId: row.user_id,
    startedAt: row.started_at ?? row.created_at,
    endUser: resolveEndUser({
      payload,
      triggerType: row.component_type,
      platformUserId: row.user_id,
      channel: opts.channel,
    }),
  };
}
