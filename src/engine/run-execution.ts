/**
 * The orchestrator: runs one execution from its durable state until it finishes or has to wait.
 *
 * Each call claims the execution's lease, loads what already happened (node rows), runs every node
 * whose inputs are settled — parallel branches concurrently — writes each result as it lands, and
 * either finalises the execution or suspends it (durable wait, child executions, a person's answer)
 * with the lease released. Calling it again later resumes where it stopped; finished nodes never run
 * twice. Untaken branches are marked `skipped`, and that propagates, so a merge after a switch runs.
 */
import { hostname } from 'node:os';
import { nowIso } from '../db/values.js';
import type { Services } from '../services.js';
import { CANCEL_CHANNEL } from './cancel-execution.js';
import { ExecutionRun } from './execution-run.js';
import {
  claimExecution,
  type ExecutionRow,
  heartbeat,
  loadNodeStates,
  suspendExecution,
} from './execution-store.js';
import { complete, fail, timeoutFailure } from './finish-run.js';
import { loadWorkflowGraph } from './graph.js';
import type { ScopeOutcome } from './run-helpers.js';
import { runScope } from './run-scope.js';
import { TopologyError, topologyOf } from './topology.js';

export type EngineDeps = Services;

/** Identifies this process as a lease owner. */
export const WORKER_ID = `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;

/** Heartbeat period while an execution runs. */
export const HEARTBEAT_MS = 5_000;
/** A lease whose heartbeat is older than this may be taken over by another worker. */
export const LEASE_STALE_MS = 30_000;

/**
 * Rows leased to this process at their start (start-execution.ts), waiting for their job: inserted,
 * or — `stored: false` — not written yet (a deferred start).
 */
const claimedHere = new Map<string, { row: ExecutionRow; stored: boolean }>();

/** Hands a row leased to this process at its start over to the job that will run it. */
export function handOverClaimed(row: ExecutionRow, stored = true): void {
  claimedHere.set(row.execution_id, { row, stored });
}

/** Forgets a handed-over row whose job did not start here. */
export function takeBackClaimed(executionId: string): void {
  claimedHere.delete(executionId);
}

/**
 * Runs in progress in this process, by execution id. A cancel reaches them through one subscription
 * per process (watchCancellations), not one per run: that cost a subscribe and an unsubscribe per
 * execution and brought every event the run published back to it. A lookup that finds no row for one
 * of them has its row written first (writeDeferredExecution).
 */
const runningHere = new Map<string, ExecutionRun>();

/**
 * Writes the row of an execution this process runs, if it is not written yet (a deferred start);
 * true if the execution runs here. Called where a lookup by id found nothing, before answering 404,
 * so an id seen in a live event is never answered with 404.
 */
export async function writeDeferredExecution(executionId: string): Promise<boolean> {
  const run = runningHere.get(executionId);
  if (!run) return false;
  await run.store();
  return true;
}

/** Subscribes this process to cancellations (CANCEL_CHANNEL); returns the unsubscribe function. */
export async function watchCancellations(deps: EngineDeps): Promise<() => Promise<void>> {
  return deps.bus.subscribe(CANCEL_CHANNEL, (_c, message) => {
    runningHere.get(String(message.execution_id))?.abort.abort('cancelled');
  });
}

/** Runs (or resumes) an execution. Returns `busy` when another live worker holds it. */
export async function runExecution(deps: EngineDeps, executionId: string): Promise<'done' | 'busy'> {
  const handedOver = claimedHere.get(executionId);
  if (handedOver) {
    claimedHere.delete(executionId);
    const run = new ExecutionRun(deps, handedOver.row);
    if (!handedOver.stored) run.deferStore();
    await track(run, true);
    return 'done';
  }
  const claim = await claimExecution(deps.database.db, executionId, WORKER_ID, LEASE_STALE_MS);
  if (claim.kind === 'busy') return 'busy';
  if (claim.kind === 'done') return 'done';
  await track(new ExecutionRun(deps, claim.row), claim.firstStart);
  return 'done';
}

/** Runs `run` registered in runningHere (see there) for its whole life. */
async function track(run: ExecutionRun, firstStart: boolean): Promise<void> {
  runningHere.set(run.id, run);
  try {
    await main(run, firstStart);
  } finally {
    runningHere.delete(run.id);
  }
}

async function main(run: ExecutionRun, firstStart: boolean): Promise<void> {
  const graph = await loadWorkflowGraph(run.db, run.row.workflow_id);
  if (!graph) {
    await fail(run, 'Workflow no longer exists.', 'workflow_deleted', null);
    return;
  }
  run.graph = graph;
  if (run.row.root_execution_id) run.rootSlug = await run.slugOfExecution(run.row.root_execution_id);

  const startedMs = Date.parse(run.row.started_at ?? nowIso());
  let deadline = run.row.deadline_at;
  if (!deadline) {
    deadline = new Date(startedMs + graph.workflow.maxExecutionSeconds * 1000).toISOString();
    // Written with the run's first durable write: until then a restart derives the same deadline
    // from the stored start time.
    run.row.deadline_at = deadline;
    run.unsavedDeadline = deadline;
  }
  if (firstStart) await run.emit('execution_started', { workflow_id: graph.workflow.id });
  if (Date.parse(deadline) <= Date.now()) {
    await timeoutFailure(run);
    return;
  }

  try {
    run.topo = topologyOf(graph, run.row.trigger_node_id);
  } catch (err) {
    const message =
      err instanceof TopologyError ? err.message : `Could not build the workflow graph: ${String(err)}`;
    await fail(run, message, 'topology', null);
    return;
  }
  // A first start has no node rows yet; only a resumed run needs to read them.
  run.states = firstStart ? new Map() : await loadNodeStates(run.db, run.id);
  for (const st of run.states.values()) {
    if (st.status === 'success' && st.iteration === '' && st.metadata.final_output !== undefined) {
      run.explicitFinal = { value: st.metadata.final_output };
    }
  }

  // Beat well inside the reaper's threshold, so a healthy long run is never taken for a lost one.
  const every = Math.max(200, Math.min(HEARTBEAT_MS, (run.deps.settings.zombieThresholdSeconds * 1000) / 3));
  const beat = setInterval(() => void heartbeat(run.db, run.id, WORKER_ID).catch(() => {}), every);
  beat.unref();
  const timeout = setTimeout(
    () => run.abort.abort('timeout'),
    Math.max(0, Date.parse(deadline) - Date.now()),
  );
  timeout.unref();

  let outcome: ScopeOutcome;
  try {
    outcome = await runScope(run, run.topo.main, '', undefined, run.abort.signal);
  } catch (err) {
    run.log.error({ err }, 'execution crashed');
    outcome = {
      kind: 'failed',
      error: `Unexpected engine error: ${(err as Error).message}`,
      code: 'engine',
      nodeId: '',
    };
  } finally {
    clearInterval(beat);
    clearTimeout(timeout);
  }

  switch (outcome.kind) {
    case 'completed':
      await complete(run);
      return;
    case 'failed':
      await fail(
        run,
        outcome.nodeId ? `Node ${outcome.nodeId}: ${outcome.error}` : outcome.error,
        outcome.code,
        outcome.nodeId,
      );
      return;
    case 'suspend':
      await run.flush(); // writes the row too, for a deferred start
      await suspendExecution(run.db, run.id, WORKER_ID, outcome.status, outcome.wakeAt);
      if (outcome.wakeAt) {
        await run.deps.queue.enqueue(
          { executionId: run.id },
          { delayMs: Math.max(0, Date.parse(outcome.wakeAt) - Date.now()) },
        );
      }
      return;
    case 'aborted':
      if (run.abort.signal.reason === 'timeout') await timeoutFailure(run);
      else await run.flush();
      return;
  }
}
