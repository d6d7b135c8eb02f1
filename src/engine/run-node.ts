/**
 * Running one node: render and validate its config, call its `run` (retrying when its config asks
 * for it), and turn the result into the next step: success, a timer, children, a loop, a pause.
 */
import { nowIso } from '../db/values.js';
import type { Logger } from '../logger.js';
import type { NodeResult } from '../nodes/define-node.js';
import { getNodeType } from '../nodes/registry.js';
import type { ExecutionEventType } from '../realtime/events.js';
import type { ExecutionRun } from './execution-run.js';
import type { NodeState } from './execution-store.js';
import type { GraphNode } from './graph.js';
import { failNode, succeed } from './node-results.js';
import { prepareNodeInput } from './prepare-node-input.js';
import {
  baseState,
  errorCode,
  errorMessage,
  type LoopContext,
  NodeFailure,
  type NodeOutcome,
  sleep,
} from './run-helpers.js';
import { runScope } from './run-scope.js';
import type { Scope } from './topology.js';
import { pauseForPerson, startChildren } from './waiting-nodes.js';

/** Runs one node (or resumes it with a person's answer or its children's results). */
export async function execNode(
  run: ExecutionRun,
  scope: Scope,
  nodeId: string,
  iteration: string,
  loop: LoopContext | undefined,
  signal: AbortSignal,
  resume: { resumeInput?: string; childResults?: unknown[] } | undefined,
): Promise<NodeOutcome> {
  const node = run.topo.nodes.get(nodeId)!;
  const previous = run.state(nodeId, iteration);
  const type = getNodeType(node.componentType);
  const startedAt = nowIso();
  const needsPerson = node.componentType === 'human_confirmation' || node.interruptBefore;
  if (needsPerson && resume?.resumeInput === undefined) {
    return pauseForPerson(
      run,
      node,
      iteration,
      'confirmation',
      undefined,
      renderedPrompt(run, node, iteration, loop),
    );
  }

  // What it is given (outputs wired into it): the same for every attempt, and kept for its row.
  const inputs = run.inputsOf(scope, nodeId, iteration);
  run.noteInput(scope, nodeId, iteration, inputs, loop);
  await run.emitNode(
    'node_status',
    {
      node_id: nodeId,
      status: 'running',
      component_type: node.componentType,
      display_name: type?.displayName ?? node.componentType,
      node_label: node.label ?? nodeId,
    },
    iteration,
  );
  if (!type)
    return failNode(
      run,
      scope,
      node,
      iteration,
      `Unknown node type '${node.componentType}'.`,
      'unknown_type',
      startedAt,
      previous,
    );
  if (!type.run) {
    return failNode(
      run,
      scope,
      node,
      iteration,
      `Node type '${node.componentType}' is not available yet in this version of Pipelit.`,
      'not_available',
      startedAt,
      previous,
    );
  }

  // A node with effects outside the run must find the execution written, should the process die.
  if (!type.flags.replayable) await run.store();
  const maxAttempts = 1 + Math.max(0, Math.min(10, node.config.max_retries ?? 0));
  let nodeLog: Logger | undefined;
  let attempt = 0;
  let lastError: NodeFailure | undefined;
  while (attempt < maxAttempts) {
    attempt += 1;
    try {
      const prepared = prepareNodeInput(type, node, {
        outputs: run.outputsFor(iteration),
        trigger: run.trigger,
        loop,
      });
      const result = await type.run({
        executionId: run.id,
        workflowSlug: run.graph.workflow.slug,
        nodeId,
        config: prepared.config,
        nodeConfig: prepared.nodeConfig,
        trigger: run.trigger,
        outputs: run.outputsFor(iteration),
        inputs,
        loop,
        resumeInput: resume?.resumeInput,
        childResults: resume?.childResults,
        signal,
        get log() {
          nodeLog ??= run.log.child({ node_id: nodeId });
          return nodeLog;
        },
        emit: (t, data) =>
          void run.emitNode(t as ExecutionEventType, { node_id: nodeId, ...data }, iteration),
        deps: run.deps,
      });
      return await handleResult(run, node, iteration, result, startedAt, attempt, prepared.warnings, signal);
    } catch (err) {
      if (signal.aborted) return { kind: 'failed', error: 'Aborted.', code: 'aborted', nodeId };
      lastError = err instanceof NodeFailure ? err : new NodeFailure(errorMessage(err), errorCode(err));
      if (attempt < maxAttempts) {
        await run.emitNode(
          'node_status',
          {
            node_id: nodeId,
            status: 'failed',
            error: lastError.message.slice(0, 500),
            error_code: lastError.code,
            will_retry: true,
          },
          iteration,
        );
        await sleep(1000 * 2 ** (attempt - 1), signal).catch(() => {});
      }
    }
  }
  return failNode(
    run,
    scope,
    node,
    iteration,
    lastError!.message,
    lastError!.code,
    startedAt,
    previous,
    attempt,
  );
}

/** A confirmation's prompt with its templates rendered (`Send {{ loop.item }}?`); raw if it cannot be. */
function renderedPrompt(
  run: ExecutionRun,
  node: GraphNode,
  iteration: string,
  loop: LoopContext | undefined,
): string | undefined {
  const type = getNodeType(node.componentType);
  if (node.componentType !== 'human_confirmation' || !type) return undefined;
  try {
    const prepared = prepareNodeInput(type, node, {
      outputs: run.outputsFor(iteration),
      trigger: run.trigger,
      loop,
    });
    const { prompt } = prepared.nodeConfig.extra_config;
    return typeof prompt === 'string' ? prompt : undefined;
  } catch {
    return undefined;
  }
}

/** Turns a node's result into its next step. */
async function handleResult(
  run: ExecutionRun,
  node: GraphNode,
  iteration: string,
  result: NodeResult,
  startedAt: string,
  attempts: number,
  warnings: string[],
  signal: AbortSignal,
): Promise<NodeOutcome> {
  const meta: Record<string, unknown> = warnings.length ? { warnings } : {};
  if (result.children?.length) {
    return startChildren(run, node, iteration, result.children, startedAt, meta);
  }
  if (result.loopItems && run.topo.loops.has(node.nodeId)) {
    return runLoop(run, node, iteration, result, startedAt, signal, meta);
  }
  if (result.delaySeconds && result.delaySeconds > 0) {
    const wakeAt = new Date(Date.now() + result.delaySeconds * 1000).toISOString();
    const st: NodeState = {
      ...baseState(node, iteration, 'waiting', startedAt),
      metadata: { ...meta, kind: 'timer', wake_at: wakeAt, outputs: result.outputs },
    };
    await run.save(st);
    await run.emitNode(
      'node_status',
      { node_id: node.nodeId, status: 'waiting', wake_at: wakeAt },
      iteration,
    );
    return { kind: 'waiting' };
  }
  if (result.finalOutput !== undefined) {
    run.explicitFinal = { value: result.finalOutput };
    meta.final_output = result.finalOutput;
  }
  if (node.interruptAfter && node.componentType !== 'human_confirmation') {
    return pauseForPerson(run, node, iteration, 'confirmation_after', {
      outputs: result.outputs,
      route: result.route,
      ...meta,
    });
  }
  await succeed(run, node.nodeId, iteration, result.outputs, undefined, meta, {
    route: result.route ?? null,
    startedAt,
    attempts,
    usage: result.tokenUsage,
  });
  return { kind: 'ok' };
}

/** Where a loop stands: kept in its waiting state's metadata while its body waits. */
interface LoopProgress {
  items: unknown[];
  /** The iteration to run (or resume) next. */
  index: number;
  results: unknown[];
  outputs: Record<string, unknown>;
  meta: Record<string, unknown>;
}

/** Runs a loop node's body once per item, in order, and collects each iteration's result. */
function runLoop(
  run: ExecutionRun,
  node: GraphNode,
  iteration: string,
  result: NodeResult,
  startedAt: string,
  signal: AbortSignal,
  meta: Record<string, unknown>,
): Promise<NodeOutcome> {
  const progress = { items: result.loopItems ?? [], index: 0, results: [], outputs: result.outputs, meta };
  return continueLoop(run, node, iteration, startedAt, signal, progress);
}

/** Resumes a loop whose body waited (timer, children, a person) at the iteration where it stopped. */
export async function resumeLoop(
  run: ExecutionRun,
  node: GraphNode,
  st: NodeState,
  iteration: string,
  signal: AbortSignal,
): Promise<NodeOutcome> {
  const m = st.metadata;
  await run.emitNode('node_status', { node_id: node.nodeId, status: 'running' }, iteration);
  return continueLoop(run, node, iteration, st.startedAt ?? nowIso(), signal, {
    items: (m.items as unknown[]) ?? [],
    index: Number(m.index) || 0,
    results: (m.results as unknown[]) ?? [],
    outputs: (m.outputs as Record<string, unknown>) ?? {},
    meta: (m.carried as Record<string, unknown>) ?? {},
  });
}

async function continueLoop(
  run: ExecutionRun,
  node: GraphNode,
  iteration: string,
  startedAt: string,
  signal: AbortSignal,
  progress: LoopProgress,
): Promise<NodeOutcome> {
  const info = run.topo.loops.get(node.nodeId)!;
  const { items, outputs, meta } = progress;
  const onError = (node.config.extra_config.on_error as string) === 'continue' ? 'continue' : 'stop';
  const results = [...progress.results];
  for (let index = progress.index; index < items.length; index++) {
    const iterKey = `${iteration ? `${iteration}/` : ''}${node.nodeId}:${index}`;
    const outcome = await runScope(
      run,
      info.body,
      iterKey,
      { item: items[index], index, total: items.length },
      signal,
    );
    if (outcome.kind === 'aborted')
      return { kind: 'failed', error: 'Aborted.', code: 'aborted', nodeId: node.nodeId };
    if (outcome.kind === 'suspend') {
      // The body waits: the loop waits with it, and its scope suspends (or sleeps) on its behalf.
      await run.save({
        ...baseState(node, iteration, 'waiting', startedAt),
        metadata: {
          kind: 'loop',
          index,
          items,
          results,
          outputs,
          carried: meta,
          person: outcome.status === 'interrupted',
          wake_at: outcome.wakeAt,
        },
      });
      await run.emitNode(
        'node_status',
        { node_id: node.nodeId, status: 'waiting', loop_index: index },
        iteration,
      );
      return { kind: 'waiting' };
    }
    if (outcome.kind === 'failed') {
      if (onError === 'stop') {
        return failNode(
          run,
          run.topo.main,
          node,
          iteration,
          `Iteration ${index} failed at ${outcome.nodeId}: ${outcome.error}`,
          outcome.code,
          startedAt,
          undefined,
        );
      }
      results.push({ [outcome.nodeId || node.nodeId]: { error: outcome.error, error_code: outcome.code } });
      continue;
    }
    const entry: Record<string, unknown> = {};
    for (const c of info.completion) {
      const st = run.state(c, iterKey);
      entry[c] =
        st?.status === 'success'
          ? st.output
          : st?.status === 'failed'
            ? { error: st.error, error_code: st.errorCode }
            : null;
    }
    results.push(entry);
  }
  await succeed(run, node.nodeId, iteration, { ...outputs, items, results }, undefined, meta, {
    startedAt,
  });
  return { kind: 'ok' };
}
