/**
 * Runs one scope (the main graph, or one loop iteration's body) until every node has settled or the
 * scope has to wait: ready nodes run concurrently, untaken branches are marked skipped, short waits
 * sleep in process and longer ones suspend the execution.
 */
import type { ExecutionRun } from './execution-run.js';
import type { NodeState } from './execution-store.js';
import { markSkipped } from './node-results.js';
import { readiness } from './readiness.js';
import {
  IN_PROCESS_WAIT_MS,
  isSettled,
  type LoopContext,
  type NodeOutcome,
  type ScopeOutcome,
  sleep,
  waitsForPerson,
  wakeTimeOf,
} from './run-helpers.js';
import { execNode } from './run-node.js';
import type { Scope } from './topology.js';
import { checkWaiting } from './waiting-nodes.js';

export async function runScope(
  run: ExecutionRun,
  scope: Scope,
  iteration: string,
  loop: LoopContext | undefined,
  parentSignal: AbortSignal,
): Promise<ScopeOutcome> {
  // The scope's signal: aborted with the parent's, or alone when one of its nodes fails (siblings
  // stop). A listener, not AbortSignal.any: that costs several times more, once per loop iteration.
  const scopeAbort = new AbortController();
  const forward = () => scopeAbort.abort(parentSignal.reason);
  if (parentSignal.aborted) forward();
  else parentSignal.addEventListener('abort', forward, { once: true });
  try {
    return await runScopeWith(run, scope, iteration, loop, parentSignal, scopeAbort);
  } finally {
    parentSignal.removeEventListener('abort', forward);
  }
}

async function runScopeWith(
  run: ExecutionRun,
  scope: Scope,
  iteration: string,
  loop: LoopContext | undefined,
  parentSignal: AbortSignal,
  scopeAbort: AbortController,
): Promise<ScopeOutcome> {
  const signal = scopeAbort.signal;
  const running = new Map<string, Promise<NodeOutcome>>();
  let failure: Extract<ScopeOutcome, { kind: 'failed' }> | undefined;

  for (;;) {
    if (parentSignal.aborted) {
      await Promise.allSettled(running.values());
      return { kind: 'aborted' };
    }
    let progressed = true;
    while (progressed && !failure) {
      progressed = false;
      for (const nodeId of scope.nodes) {
        if (running.has(nodeId)) continue;
        const st = run.state(nodeId, iteration);
        if (st && isSettled(st)) continue;
        if (st?.status === 'waiting') {
          const resumed = await checkWaiting(run, scope, st, iteration, loop, signal, running);
          if (resumed) progressed = true;
          continue;
        }
        const ready = readiness(run, scope, nodeId, iteration);
        if (ready === 'wait') continue;
        if (ready === 'skip') {
          await markSkipped(run, nodeId, iteration);
          progressed = true;
          continue;
        }
        track(run, running, nodeId, execNode(run, scope, nodeId, iteration, loop, signal, undefined));
        progressed = true;
      }
    }

    if (running.size > 0) {
      const settled = await Promise.race(
        [...running.entries()].map(([id, p]) => p.then((outcome) => ({ id, outcome }))),
      );
      running.delete(settled.id);
      if (settled.outcome.kind === 'failed' && !failure) {
        failure = {
          kind: 'failed',
          error: settled.outcome.error,
          code: settled.outcome.code,
          nodeId: settled.outcome.nodeId,
        };
        scopeAbort.abort('failed');
      }
      continue;
    }
    if (failure) return failure;
    if (parentSignal.aborted) return { kind: 'aborted' };

    const pending = [...scope.nodes].filter((id) => {
      const st = run.state(id, iteration);
      return !st || !isSettled(st);
    });
    if (pending.length === 0) return { kind: 'completed' };

    const waiting = pending
      .map((id) => run.state(id, iteration))
      .filter((s): s is NodeState => s?.status === 'waiting');
    if (waiting.length === 0) {
      return {
        kind: 'failed',
        error: `Nodes never became ready: ${pending.join(', ')} (is there a cycle?)`,
        code: 'stuck',
        nodeId: '',
      };
    }
    // Only future wake times count: one already due made no progress above (a loop resumed once in
    // this run, see checkWaiting), and sleeping until it again would spin.
    const now = Date.now();
    const wakeTimes = waiting.map((s) => wakeTimeOf(s)).filter((t): t is number => t !== null && t > now);
    const earliest = wakeTimes.length ? Math.min(...wakeTimes) : null;
    if (earliest !== null && earliest - now <= IN_PROCESS_WAIT_MS) {
      await sleep(earliest - now, parentSignal);
      continue;
    }
    // A loop body's scope suspends like the main one: its loop node records where it stopped.
    return {
      kind: 'suspend',
      status: waiting.some(waitsForPerson) ? 'interrupted' : 'running',
      wakeAt: earliest === null ? null : new Date(earliest).toISOString(),
    };
  }
}

/** Registers a node run in progress in its scope. */
export function track(
  _run: ExecutionRun,
  running: Map<string, Promise<NodeOutcome>>,
  nodeId: string,
  p: Promise<NodeOutcome>,
) {
  running.set(nodeId, p);
}
