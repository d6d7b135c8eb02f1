/**
 * Durable execution state in the database: the execution row (status, lease, heartbeat, wake time,
 * totals) and one row per node run (per loop iteration). Rows are written as each node finishes, so a
 * worker killed mid-run loses nothing already finished.
 */
import { randomUUID } from 'node:crypto';
import { type Kysely, type Selectable, sql } from 'kysely';
import { dialectOf } from '../db/dialect-of.js';
import type { Database } from '../db/schema.js';
import type { ExecutionStatus, ExecutionsTable, NodeRunStatus } from '../db/tables/executions.js';
import { fromJson, nowIso, toJson } from '../db/values.js';
import type { TokenUsage } from '../nodes/define-node.js';
import { applySavePolicy, type SavePolicyHint, savePolicyWrites } from '../retention/save-policy.js';
import { storedJson, storedMetadataJson } from '../retention/stored-payload.js';
import type { NewPendingTask } from './pending-tasks.js';

export type ExecutionRow = Selectable<ExecutionsTable>;

export interface NodeState {
  nodeId: string;
  iteration: string;
  componentType: string;
  status: NodeRunStatus;
  input?: unknown;
  output: Record<string, unknown> | null;
  route: string | null;
  error: string | null;
  errorCode: string | null;
  metadata: Record<string, unknown>;
  attempts: number;
  startedAt: string | null;
  completedAt: string | null;
  durationMs: number | null;
  usage?: TokenUsage;
}

export const TERMINAL: ReadonlySet<ExecutionStatus> = new Set(['completed', 'failed', 'cancelled']);

export interface NewExecution {
  executionId?: string;
  workflowId: number;
  triggerNodeId: string | null;
  userId: number | null;
  payload: Record<string, unknown>;
  threadId?: string;
  parentExecutionId?: string | null;
  parentNodeId?: string | null;
  rootExecutionId?: string | null;
  depth?: number;
  /** Insert it already started and leased to this owner (it runs in this process at once). */
  leaseOwner?: string;
}

/** The row a new execution starts with, as the database would hold it after the insert. */
export function newExecutionRow(input: NewExecution): ExecutionRow {
  const now = nowIso();
  return {
    execution_id: input.executionId ?? randomUUID(),
    workflow_id: input.workflowId,
    trigger_node_id: input.triggerNodeId,
    user_id: input.userId,
    parent_execution_id: input.parentExecutionId ?? null,
    parent_node_id: input.parentNodeId ?? null,
    root_execution_id: input.rootExecutionId ?? null,
    depth: input.depth ?? 0,
    thread_id: input.threadId ?? randomUUID().replace(/-/g, ''),
    status: input.leaseOwner ? 'running' : 'pending',
    // Full: it is the execution's input (read back on every start and resume); capped at finish.
    trigger_payload: toJson(input.payload),
    created_at: now,
    lease_owner: input.leaseOwner ?? null,
    heartbeat_at: input.leaseOwner ? now : null,
    started_at: input.leaseOwner ? now : null,
    deadline_at: null,
    final_output: null,
    error_message: null,
    error_code: null,
    completed_at: null,
    wake_at: null,
    recoveries: 0,
    total_input_tokens: 0,
    total_output_tokens: 0,
    total_tokens: 0,
    total_cost_usd: 0,
    llm_calls: 0,
  };
}

export async function insertExecution(db: Kysely<Database>, input: NewExecution): Promise<ExecutionRow> {
  const row = newExecutionRow(input);
  await insertExecutionRow(db, row);
  return row;
}

// Every column: a row made by newExecutionRow, or one inserted already finished (finishExecution).
const EXECUTION_COLUMNS = Object.keys(
  newExecutionRow({ workflowId: 0, triggerNodeId: null, userId: null, payload: {} }),
) as Array<keyof ExecutionRow>;
const INSERT_HEAD = sql.raw(`insert into executions (${EXECUTION_COLUMNS.join(', ')}) values `);

/** Inserts a whole execution row; `db` may be a transaction. Fixed SQL text: one per execution. */
export async function insertExecutionRow(db: Kysely<Database>, row: ExecutionRow): Promise<void> {
  await sql`${INSERT_HEAD}(${sql.join(EXECUTION_COLUMNS.map((c) => row[c]))})`.execute(db);
}

export type ClaimResult =
  | { kind: 'claimed'; row: ExecutionRow; firstStart: boolean }
  | { kind: 'busy' }
  | { kind: 'done' };

/**
 * Takes the execution's lease for `owner`. `busy` when another live worker holds it (its heartbeat
 * is younger than `staleMs`); `done` when it has finished. An execution waiting for a person is
 * claimed too: the job may carry an answer that came while an earlier run still held the lease (that
 * run then suspended it as `interrupted`); a job without news makes the run suspend again.
 */
export async function claimExecution(
  db: Kysely<Database>,
  executionId: string,
  owner: string,
  staleMs: number,
): Promise<ClaimResult> {
  const now = nowIso();
  const staleBefore = new Date(Date.now() - staleMs).toISOString();
  // One statement in the common case: take the lease and read the row back. Fixed SQL text: it
  // runs for every execution, and the query builder cost more than the statement.
  const claimed = await sql<ExecutionRow>`
    update executions
    set status = 'running', lease_owner = ${owner}, heartbeat_at = ${now},
        started_at = coalesce(started_at, ${now}), wake_at = null
    where execution_id = ${executionId} and status in ('pending', 'running', 'interrupted')
      and (lease_owner is null or lease_owner = ${owner} or heartbeat_at < ${staleBefore})
    returning *`.execute(db);
  const row = claimed.rows[0];
  if (row) return { kind: 'claimed', row, firstStart: row.started_at === now && !row.deadline_at };
  const again = await db
    .selectFrom('executions')
    .select(['status'])
    .where('execution_id', '=', executionId)
    .executeTakeFirst();
  return again && !TERMINAL.has(again.status) ? { kind: 'busy' } : { kind: 'done' };
}

export async function heartbeat(db: Kysely<Database>, executionId: string, owner: string): Promise<void> {
  await db
    .updateTable('executions')
    .set({ heartbeat_at: nowIso() })
    .where('execution_id', '=', executionId)
    .where('lease_owner', '=', owner)
    .execute();
}

export async function loadNodeStates(
  db: Kysely<Database>,
  executionId: string,
): Promise<Map<string, NodeState>> {
  const rows = await db
    .selectFrom('execution_nodes')
    .selectAll()
    .where('execution_id', '=', executionId)
    .execute();
  const map = new Map<string, NodeState>();
  for (const r of rows) {
    map.set(stateKey(r.node_id, r.iteration), {
      nodeId: r.node_id,
      iteration: r.iteration,
      componentType: r.component_type,
      status: r.status,
      output: fromJson(r.output, null),
      route: r.route,
      error: r.error,
      errorCode: r.error_code,
      metadata: expandMetadata(fromJson(r.metadata, {}), fromJson(r.output, null)),
      attempts: r.attempts,
      startedAt: r.started_at,
      completedAt: r.completed_at,
      durationMs: r.duration_ms,
    });
  }
  return map;
}

export const stateKey = (nodeId: string, iteration: string) => `${iteration}|${nodeId}`;

/** Node states to write, and the execution's deadline when it was fixed by this run. */
export interface UnsavedState {
  states: NodeState[];
  deadline: string | null;
}

function nodeRow(executionId: string, state: NodeState) {
  return {
    execution_id: executionId,
    node_id: state.nodeId,
    iteration: state.iteration,
    component_type: state.componentType,
    status: state.status,
    input: state.input === undefined ? null : storedJson(state.input),
    output: state.output === null ? null : storedJson(state.output),
    route: state.route,
    error: state.error,
    error_code: state.errorCode,
    metadata: compactMetadata(state.metadata, state.output),
    attempts: state.attempts,
    started_at: state.startedAt,
    completed_at: state.completedAt,
    duration_ms: state.durationMs,
    input_tokens: state.usage?.input_tokens ?? 0,
    output_tokens: state.usage?.output_tokens ?? 0,
    cost_usd: state.usage?.cost_usd ?? 0,
    llm_calls: state.usage?.llm_calls ?? 0,
  };
}

const NODE_ROW_COLUMNS = Object.keys(
  nodeRow('', {
    nodeId: '',
    iteration: '',
    componentType: '',
    status: 'success',
    output: null,
    route: null,
    error: null,
    errorCode: null,
    metadata: {},
    attempts: 0,
    startedAt: null,
    completedAt: null,
    durationMs: null,
  }),
);
const KEY_COLUMNS = ['execution_id', 'node_id', 'iteration'];
// The statement text is fixed: written once here rather than built by the query builder on every
// write (the engine's hottest statement; the builder cost more than SQLite did).
const UPSERT_NODE_HEAD = sql.raw(`insert into execution_nodes (${NODE_ROW_COLUMNS.join(', ')}) values `);
const UPSERT_NODE_TAIL = sql.raw(
  ` on conflict (${KEY_COLUMNS.join(', ')}) do update set ` +
    NODE_ROW_COLUMNS.filter((c) => !KEY_COLUMNS.includes(c))
      .map((c) => `${c} = excluded.${c}`)
      .join(', '),
);

/** The statement that inserts or replaces node run states (at least one). */
function upsertNodeStatesSql(executionId: string, states: NodeState[]) {
  const rows = states.map((st) => sql`(${sql.join(Object.values(nodeRow(executionId, st)))})`);
  return sql`${UPSERT_NODE_HEAD}${sql.join(rows)}${UPSERT_NODE_TAIL}`;
}

/** Writes (inserts or replaces) node run states with one statement; `db` may be a transaction. */
async function upsertNodeStates(db: Kysely<Database>, executionId: string, states: NodeState[]) {
  if (!states.length) return;
  await upsertNodeStatesSql(executionId, states).execute(db);
}

/**
 * Writes node states (and the run's deadline, and a paused node's pending task, when given) in one
 * transaction: a task is never visible without the waiting state it resumes, nor the other way round.
 */
export async function saveNodeStates(
  db: Kysely<Database>,
  executionId: string,
  { states, deadline }: UnsavedState,
  task?: NewPendingTask,
): Promise<void> {
  if (!deadline && !task) return upsertNodeStates(db, executionId, states);
  await db.transaction().execute(async (trx) => {
    await upsertNodeStates(trx, executionId, states);
    if (deadline) {
      await trx
        .updateTable('executions')
        .set({ deadline_at: deadline })
        .where('execution_id', '=', executionId)
        .execute();
    }
    if (task) await trx.insertInto('pending_tasks').values(task).execute();
  });
}

export interface FinishFields {
  status: Extract<ExecutionStatus, 'completed' | 'failed' | 'cancelled'>;
  finalOutput?: unknown;
  errorMessage?: string | null;
  errorCode?: string | null;
  usage?: { input: number; output: number; cost: number; calls: number };
}

/** Ends the execution unless it already ended (a cancel may have won the race). */
export async function finishExecution(
  db: Kysely<Database>,
  executionId: string,
  fields: FinishFields,
  opts: { unsaved?: UnsavedState; savePolicy?: SavePolicyHint; insert?: ExecutionRow } = {},
): Promise<boolean> {
  // One transaction: whoever sees the execution finished also sees its node rows and its payloads
  // trimmed. A run that was never written (a deferred start) is inserted in it first.
  const outcome = {
    status: fields.status,
    final_output: fields.finalOutput === undefined ? null : storedJson(fields.finalOutput),
    error_message: fields.errorMessage ?? null,
    error_code: fields.errorCode ?? null,
    completed_at: nowIso(),
  };
  const usage = fields.usage;
  // Absent usage keeps the stored totals (the update's coalesce; an insert's zero defaults).
  const totals = usage && {
    total_input_tokens: usage.input,
    total_output_tokens: usage.output,
    total_tokens: usage.input + usage.output,
    total_cost_usd: usage.cost,
    llm_calls: usage.calls,
  };
  const deadline = opts.unsaved?.deadline ?? null;
  // Fixed SQL text, like the insert and the claim: one per execution.
  const finishUpdate = sql`
    update executions
    set status = ${outcome.status}, final_output = ${outcome.final_output},
        error_message = ${outcome.error_message}, error_code = ${outcome.error_code},
        completed_at = ${outcome.completed_at}, lease_owner = null, wake_at = null,
        deadline_at = coalesce(${deadline}, deadline_at),
        total_input_tokens = coalesce(${totals?.total_input_tokens ?? null}, total_input_tokens),
        total_output_tokens = coalesce(${totals?.total_output_tokens ?? null}, total_output_tokens),
        total_tokens = coalesce(${totals?.total_tokens ?? null}, total_tokens),
        total_cost_usd = coalesce(${totals?.total_cost_usd ?? null}, total_cost_usd),
        llm_calls = coalesce(${totals?.llm_calls ?? null}, llm_calls)
    where execution_id = ${executionId} and status in ('pending', 'running', 'interrupted')`;
  // PostgreSQL, when the save policy has nothing to drop: the node rows and the execution in one
  // statement (a data-modifying CTE is atomic), one round trip instead of four (begin … commit).
  const states = opts.unsaved?.states ?? [];
  if (!opts.insert && !savePolicyWrites(opts.savePolicy) && dialectOf(db) === 'postgres') {
    const statement = states.length
      ? sql`with nodes as (${upsertNodeStatesSql(executionId, states)} returning 1) ${finishUpdate}`
      : finishUpdate;
    const result = await statement.execute(db);
    return Number(result.numAffectedRows ?? 0) > 0;
  }
  return db.transaction().execute(async (trx) => {
    let finished: boolean;
    if (opts.insert) {
      // Never written before: inserted finished, the node rows after it.
      const row = opts.insert;
      await insertExecutionRow(trx, {
        ...row,
        ...outcome,
        lease_owner: null,
        wake_at: null,
        deadline_at: deadline ?? row.deadline_at,
        ...totals,
      });
      if (opts.unsaved) await upsertNodeStates(trx, executionId, opts.unsaved.states);
      finished = true;
    } else {
      if (opts.unsaved) await upsertNodeStates(trx, executionId, opts.unsaved.states);
      const result = await finishUpdate.execute(trx);
      finished = Number(result.numAffectedRows ?? 0) > 0;
    }
    // The workflow's save policy drops the payloads it does not keep, now that nothing resumes from them.
    if (finished) await applySavePolicy(trx, executionId, opts.savePolicy);
    return finished;
  });
}

/**
 * An explicit final output (reply_chat) is kept in the node's metadata so a resumed execution still
 * knows it; when it equals the node's own `output.output` only a reference is stored, not a copy.
 */
function compactMetadata(
  meta: Record<string, unknown>,
  output: Record<string, unknown> | null,
): string | null {
  if (!Object.keys(meta).length) return null;
  if (meta.final_output !== undefined && output && 'output' in output) {
    const text = toJson(meta.final_output);
    // Only worth it when the copy is longer than the reference itself.
    if (text.length > 24 && text === toJson(output.output)) {
      const { final_output: _f, ...rest } = meta;
      return storedMetadataJson({ ...rest, final_output_ref: 'output' });
    }
  }
  return storedMetadataJson(meta);
}

function expandMetadata(
  meta: Record<string, unknown>,
  output: Record<string, unknown> | null,
): Record<string, unknown> {
  if (meta.final_output_ref !== 'output') return meta;
  const { final_output_ref: _r, ...rest } = meta;
  return { ...rest, final_output: output?.output ?? null };
}

/** Releases the lease while the execution waits (timer, children, a person). */
export async function suspendExecution(
  db: Kysely<Database>,
  executionId: string,
  owner: string,
  status: 'running' | 'interrupted',
  wakeAt: string | null,
): Promise<void> {
  await db
    .updateTable('executions')
    .set({ status, lease_owner: null, wake_at: wakeAt })
    .where('execution_id', '=', executionId)
    .where('lease_owner', '=', owner)
    .where('status', 'in', ['running'])
    .execute();
}
