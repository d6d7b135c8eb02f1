/**
 * Nodes that wait for something outside the run — a timer, child executions, a person's answer:
 * pausing them, and resuming them once what they wait for has happened.
 */
import { nowIso } from '../db/values.js';
import type { ChildRequest } from '../nodes/define-node.js';
import { isApproval } from './approval.js';
import { createChildExecutions, readChildOutcomes } from './child-executions.js';
import type { ExecutionRun } from './execution-run.js';
import { type NodeState, stateKey } from './execution-store.js';
import type { GraphNode } from './graph.js';
import { failNodeState, succeed } from './node-results.js';
import { newPendingTask } from './pending-tasks.js';
import { baseState, type LoopContext, type NodeOutcome, wakeTimeOf } from './run-helpers.js';
import { execNode, resumeLoop } from './run-node.js';
import { track } from './run-scope.js';
import type { Scope } from './topology.js';

/** A waiting node: its timer may be due, its children done, or a person may have answered. */
export async function checkWaiting(
  run: ExecutionRun,
  scope: Scope,
  st: NodeState,
  iteration: string,
  loop: LoopContext | undefined,
  signal: AbortSignal,
  running: Map<string, Promise<NodeOutcome>>,
): Promise<boolean> {
  const meta = st.metadata;
  if (meta.kind === 'timer') {
    if (Date.parse(String(meta.wake_at)) > Date.now()) return false;
    await succeed(run, st.nodeId, iteration, (meta.outputs as Record<string, unknown>) ?? {}, st, {});
    return true;
  }
  if (meta.kind === 'confirmation' || meta.kind === 'confirmation_after') {
    if (meta.resume_input === undefined) return false;
    const answer = String(meta.resume_input);
    if (meta.kind === 'confirmation_after') {
      if (!isApproval(answer)) {
        await markCancelledByPerson(run, st, iteration);
        return true;
      }
      await succeed(run, st.nodeId, iteration, (meta.outputs as Record<string, unknown>) ?? {}, st, {});
      return true;
    }
    const node = run.topo.nodes.get(st.nodeId)!;
    if (node.componentType !== 'human_confirmation' && !isApproval(answer)) {
      await markCancelledByPerson(run, st, iteration);
      return true;
    }
    track(
      run,
      running,
      st.nodeId,
      execNode(run, scope, st.nodeId, iteration, loop, signal, { resumeInput: answer }),
    );
    return true;
  }
  if (meta.kind === 'loop') {
    // Its body waits for something inside (a timer, children, a person). Resumed once per run — the
    // run started because something may have happened — and again when its wake time is due;
    // otherwise it would be re-entered on every pass of the scope.
    const key = stateKey(st.nodeId, iteration);
    const wake = wakeTimeOf(st);
    if (run.resumedLoops.has(key) && (wake === null || wake > Date.now())) return false;
    run.resumedLoops.add(key);
    const node = run.topo.nodes.get(st.nodeId)!;
    track(run, running, st.nodeId, resumeLoop(run, node, st, iteration, signal));
    return true;
  }
  if (meta.kind === 'children') {
    const ids = (meta.child_ids as string[]) ?? [];
    const outcome = await readChildOutcomes(run.db, ids);
    if (outcome.kind === 'pending') {
      if (Date.parse(String(meta.deadline)) <= Date.now()) {
        await failNodeState(
          run,
          st.nodeId,
          iteration,
          st.componentType,
          'Child execution timed out.',
          'child_timeout',
          st,
        );
        return true;
      }
      return false;
    }
    if (outcome.kind === 'failed') {
      await failNodeState(
        run,
        st.nodeId,
        iteration,
        st.componentType,
        `Child execution failed: ${outcome.error}`.slice(0, 2000),
        'child_failed',
        st,
      );
      return true;
    }
    track(
      run,
      running,
      st.nodeId,
      execNode(run, scope, st.nodeId, iteration, loop, signal, { childResults: outcome.results }),
    );
    return true;
  }
  return false;
}

/** A person denied a breakpoint: the execution is cancelled. */
export async function markCancelledByPerson(
  run: ExecutionRun,
  st: NodeState,
  iteration: string,
): Promise<void> {
  await failNodeState(run, st.nodeId, iteration, st.componentType, 'Denied by a person.', 'denied', st);
  run.abort.abort('cancelled');
  await run.finish({ status: 'cancelled', errorMessage: 'Denied at a confirmation step.' });
  await run.emit('execution_cancelled', { execution_id: run.id });
}

/** Pauses a node until a person approves or denies (a pending task). */
export async function pauseForPerson(
  run: ExecutionRun,
  node: GraphNode,
  iteration: string,
  kind: 'confirmation' | 'confirmation_after',
  carried: Record<string, unknown> | undefined,
  prompt?: string,
): Promise<NodeOutcome> {
  await run.store();
  const task = newPendingTask({
    executionId: run.id,
    node,
    iteration,
    prompt,
    userId: run.row.user_id,
    chatId: run.trigger.chat_id === undefined ? null : String(run.trigger.chat_id),
    when: kind === 'confirmation' ? 'before' : 'after',
  });
  await run.saveWaiting(
    {
      ...baseState(node, iteration, 'waiting', nowIso()),
      metadata: {
        ...(carried ?? {}),
        kind,
        task_id: task.task_id,
        expires_at: task.expires_at,
        prompt: task.prompt,
      },
    },
    task,
  );
  await run.emitNode(
    'node_status',
    { node_id: node.nodeId, status: 'waiting', task_id: task.task_id, prompt: task.prompt },
    iteration,
  );
  await run.emit('execution_interrupted', {
    node_id: node.nodeId,
    task_id: task.task_id,
    prompt: task.prompt,
  });
  return { kind: 'waiting' };
}

/** Starts the child executions a node asked for; the node waits for all of them. */
export async function startChildren(
  run: ExecutionRun,
  node: GraphNode,
  iteration: string,
  requests: ChildRequest[],
  startedAt: string,
  meta: Record<string, unknown>,
): Promise<NodeOutcome> {
  await run.store();
  const childIds = await createChildExecutions(run.deps, run.row, run.graph, node.nodeId, requests);
  const deadline = run.row.deadline_at ?? new Date(Date.now() + 600_000).toISOString();
  await run.save({
    ...baseState(node, iteration, 'waiting', startedAt),
    metadata: { ...meta, kind: 'children', child_ids: childIds, deadline },
  });
  await run.emitNode(
    'node_status',
    { node_id: node.nodeId, status: 'waiting', child_execution_ids: childIds },
    iteration,
  );
  for (const id of childIds) await run.deps.queue.enqueue({ executionId: id });
  return { kind: 'waiting' };
}
