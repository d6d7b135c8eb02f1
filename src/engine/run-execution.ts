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
import type { Logger } from '../logger.js';
import type { ChildRequest, NodeDescriptor, NodeResult, TokenUsage } from '../nodes/define-node.js';
import { getNodeType } from '../nodes/registry.js';
import { type ExecutionEventType, executionChannel, publishExecutionEvent } from '../realtime/events.js';
import type { Services } from '../services.js';
import { isApproval } from './approval.js';
import { createChildExecutions, readChildOutcomes } from './child-executions.js';
import { startErrorHandler } from './error-handler-workflow.js';
import {
  claimExecution,
  type ExecutionRow,
  finishExecution,
  heartbeat,
  loadNodeStates,
  type NodeState,
  saveNodeState,
  setDeadline,
  stateKey,
  suspendExecution,
} from './execution-store.js';
import { computeFinalOutput } from './final-output.js';
import { runFinishHooks } from './finish-hooks.js';
import { type GraphEdge, type GraphNode, loadWorkflowGraph, type WorkflowGraph } from './graph.js';
import { createPendingTask } from './pending-tasks.js';
import { prepareNodeInput } from './prepare-node-input.js';
import { buildTopology, type Scope, type Topology, TopologyError } from './topology.js';

export type EngineDeps = Services;

/** Identifies this process as a lease owner. */
export const WORKER_ID = `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;

/** Heartbeat period while an execution runs. */
export const HEARTBEAT_MS = 5_000;
/** A lease whose heartbeat is older than this may be taken over by another worker. */
export const LEASE_STALE_MS = 30_000;
/** Waits up to this long happen in process; longer ones suspend the execution durably. */
const IN_PROCESS_WAIT_MS = 5_000;
/** Event payloads keep node outputs small (spec §6.4). */
const EVENT_STRING_LIMIT = 2048;

type NodeOutcome =
  | { kind: 'ok' }
  | { kind: 'failed'; error: string; code: string; nodeId: string }
  | { kind: 'waiting' };
type ScopeOutcome =
  | { kind: 'completed' }
  | { kind: 'failed'; error: string; code: string; nodeId: string }
  | { kind: 'suspend'; status: 'running' | 'interrupted'; wakeAt: string | null }
  | { kind: 'aborted' };

interface LoopContext {
  item: unknown;
  index: number;
  total: number;
}

class NodeFailure extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** Runs (or resumes) an execution. Returns `busy` when another live worker holds it. */
export async function runExecution(deps: EngineDeps, executionId: string): Promise<'done' | 'busy'> {
  const claim = await claimExecution(deps.database.db, executionId, WORKER_ID, LEASE_STALE_MS);
  if (claim.kind === 'busy') return 'busy';
  if (claim.kind === 'done') return 'done';
  const run = new ExecutionRun(deps, claim.row);
  await run.main(claim.firstStart);
  return 'done';
}

class ExecutionRun {
  private readonly db;
  private readonly log: Logger;
  private graph!: WorkflowGraph;
  private topo!: Topology;
  private states = new Map<string, NodeState>();
  private readonly abort = new AbortController();
  private explicitFinal: { value: unknown } | undefined;
  private rootSlug: string | null = null;
  private trigger: Record<string, unknown>;

  constructor(
    private readonly deps: EngineDeps,
    private readonly row: ExecutionRow,
  ) {
    this.db = deps.database.db;
    this.log = deps.log.child({ execution_id: row.execution_id });
    this.trigger = safeParse(row.trigger_payload);
  }

  private get id() {
    return this.row.execution_id;
  }

  async main(firstStart: boolean): Promise<void> {
    const graph = await loadWorkflowGraph(this.db, this.row.workflow_id);
    if (!graph) {
      await this.fail('Workflow no longer exists.', 'workflow_deleted', null);
      return;
    }
    this.graph = graph;
    if (this.row.root_execution_id) this.rootSlug = await this.slugOfExecution(this.row.root_execution_id);

    const startedMs = Date.parse(this.row.started_at ?? nowIso());
    let deadline = this.row.deadline_at;
    if (!deadline) {
      deadline = new Date(startedMs + graph.workflow.maxExecutionSeconds * 1000).toISOString();
      await setDeadline(this.db, this.id, deadline);
    }
    if (firstStart) await this.emit('execution_started', { workflow_id: graph.workflow.id });
    if (Date.parse(deadline) <= Date.now()) {
      await this.timeoutFailure();
      return;
    }

    try {
      this.topo = buildTopology(graph, this.row.trigger_node_id);
    } catch (err) {
      const message =
        err instanceof TopologyError ? err.message : `Could not build the workflow graph: ${String(err)}`;
      await this.fail(message, 'topology', null);
      return;
    }
    // A first start has no node rows yet; only a resumed run needs to read them.
    this.states = firstStart ? new Map() : await loadNodeStates(this.db, this.id);
    for (const st of this.states.values()) {
      if (st.status === 'success' && st.iteration === '' && st.metadata.final_output !== undefined) {
        this.explicitFinal = { value: st.metadata.final_output };
      }
    }

    // Beat well inside the reaper's threshold, so a healthy long run is never taken for a lost one.
    const every = Math.max(
      200,
      Math.min(HEARTBEAT_MS, (this.deps.settings.zombieThresholdSeconds * 1000) / 3),
    );
    const beat = setInterval(() => void heartbeat(this.db, this.id, WORKER_ID).catch(() => {}), every);
    beat.unref();
    const timeout = setTimeout(
      () => this.abort.abort('timeout'),
      Math.max(0, Date.parse(deadline) - Date.now()),
    );
    timeout.unref();
    const unsubscribe = await this.deps.bus.subscribe(executionChannel(this.id), (_c, message) => {
      if (message.type === 'execution_cancelled') this.abort.abort('cancelled');
    });

    let outcome: ScopeOutcome;
    try {
      outcome = await this.runScope(this.topo.main, '', undefined, this.abort.signal);
    } catch (err) {
      this.log.error({ err }, 'execution crashed');
      outcome = {
        kind: 'failed',
        error: `Unexpected engine error: ${(err as Error).message}`,
        code: 'engine',
        nodeId: '',
      };
    } finally {
      clearInterval(beat);
      clearTimeout(timeout);
      await unsubscribe().catch(() => {});
    }

    switch (outcome.kind) {
      case 'completed':
        await this.complete();
        return;
      case 'failed':
        await this.fail(
          outcome.nodeId ? `Node ${outcome.nodeId}: ${outcome.error}` : outcome.error,
          outcome.code,
          outcome.nodeId,
        );
        return;
      case 'suspend':
        await suspendExecution(this.db, this.id, WORKER_ID, outcome.status, outcome.wakeAt);
        if (outcome.wakeAt) {
          await this.deps.queue.enqueue(
            { executionId: this.id },
            { delayMs: Math.max(0, Date.parse(outcome.wakeAt) - Date.now()) },
          );
        }
        return;
      case 'aborted':
        if (this.abort.signal.reason === 'timeout') await this.timeoutFailure();
        return;
    }
  }

  // ---- scheduling ------------------------------------------------------------------------------

  private state(nodeId: string, iteration: string): NodeState | undefined {
    return this.states.get(stateKey(nodeId, iteration));
  }

  private edgeActive(edge: GraphEdge, source: NodeState | undefined, scope: Scope): boolean {
    if (!source) return false;
    if (source.status === 'success') {
      if (edge.label === 'error') return false;
      if (edge.type === 'conditional') return source.route === edge.conditionValue;
      // A node with conditional edges routes only through them (spec §7.10).
      return !(scope.outgoing.get(edge.source) ?? []).some((e) => e.type === 'conditional');
    }
    if (source.status === 'failed') return edge.label === 'error';
    return false;
  }

  private readiness(scope: Scope, nodeId: string, iteration: string): 'run' | 'skip' | 'wait' {
    const edges = scope.incoming.get(nodeId) ?? [];
    if (edges.length === 0) return 'run';
    let active = scope.entries.has(nodeId);
    for (const edge of edges) {
      const source = this.state(edge.source, iteration);
      if (!source || !isSettled(source)) return 'wait';
      if (this.edgeActive(edge, source, scope)) active = true;
    }
    return active ? 'run' : 'skip';
  }

  private async runScope(
    scope: Scope,
    iteration: string,
    loop: LoopContext | undefined,
    parentSignal: AbortSignal,
  ): Promise<ScopeOutcome> {
    const scopeAbort = new AbortController();
    const signal = AbortSignal.any([parentSignal, scopeAbort.signal]);
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
          const st = this.state(nodeId, iteration);
          if (st && isSettled(st)) continue;
          if (st?.status === 'waiting') {
            const resumed = await this.checkWaiting(scope, st, iteration, loop, signal, running);
            if (resumed) progressed = true;
            continue;
          }
          const ready = this.readiness(scope, nodeId, iteration);
          if (ready === 'wait') continue;
          if (ready === 'skip') {
            await this.markSkipped(nodeId, iteration);
            progressed = true;
            continue;
          }
          this.track(running, nodeId, this.execNode(scope, nodeId, iteration, loop, signal, undefined));
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
        const st = this.state(id, iteration);
        return !st || !isSettled(st);
      });
      if (pending.length === 0) return { kind: 'completed' };

      const waiting = pending
        .map((id) => this.state(id, iteration))
        .filter((s): s is NodeState => s?.status === 'waiting');
      if (waiting.length === 0) {
        return {
          kind: 'failed',
          error: `Nodes never became ready: ${pending.join(', ')} (is there a cycle?)`,
          code: 'stuck',
          nodeId: '',
        };
      }
      const wakeTimes = waiting.map((s) => wakeTimeOf(s)).filter((t): t is number => t !== null);
      const earliest = wakeTimes.length ? Math.min(...wakeTimes) : null;
      const inLoop = iteration !== '';
      const hasPerson = waiting.some((s) => String(s.metadata.kind).startsWith('confirmation'));
      if (inLoop && hasPerson) {
        return {
          kind: 'failed',
          error: 'Human confirmation inside a loop body is not supported.',
          code: 'unsupported',
          nodeId: waiting[0].nodeId,
        };
      }
      const hasChildren = waiting.some((s) => s.metadata.kind === 'children');
      if (earliest !== null && (earliest - Date.now() <= IN_PROCESS_WAIT_MS || inLoop)) {
        const pause =
          inLoop && hasChildren ? Math.min(250, Math.max(0, earliest - Date.now())) : earliest - Date.now();
        await sleep(Math.max(0, pause), parentSignal);
        continue;
      }
      if (inLoop && hasChildren) {
        await sleep(250, parentSignal);
        continue;
      }
      return {
        kind: 'suspend',
        status: hasPerson ? 'interrupted' : 'running',
        wakeAt: earliest === null ? null : new Date(earliest).toISOString(),
      };
    }
  }

  private track(running: Map<string, Promise<NodeOutcome>>, nodeId: string, p: Promise<NodeOutcome>) {
    running.set(nodeId, p);
  }

  /** A waiting node: its timer may be due, its children done, or a person may have answered. */
  private async checkWaiting(
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
      await this.succeed(st.nodeId, iteration, (meta.outputs as Record<string, unknown>) ?? {}, st, {});
      return true;
    }
    if (meta.kind === 'confirmation' || meta.kind === 'confirmation_after') {
      if (meta.resume_input === undefined) return false;
      const answer = String(meta.resume_input);
      if (meta.kind === 'confirmation_after') {
        if (!isApproval(answer)) {
          await this.markCancelledByPerson(st, iteration);
          return true;
        }
        await this.succeed(st.nodeId, iteration, (meta.outputs as Record<string, unknown>) ?? {}, st, {});
        return true;
      }
      const node = this.topo.nodes.get(st.nodeId)!;
      if (node.componentType !== 'human_confirmation' && !isApproval(answer)) {
        await this.markCancelledByPerson(st, iteration);
        return true;
      }
      this.track(
        running,
        st.nodeId,
        this.execNode(scope, st.nodeId, iteration, loop, signal, { resumeInput: answer }),
      );
      return true;
    }
    if (meta.kind === 'children') {
      const ids = (meta.child_ids as string[]) ?? [];
      const outcome = await readChildOutcomes(this.db, ids);
      if (outcome.kind === 'pending') {
        if (Date.parse(String(meta.deadline)) <= Date.now()) {
          await this.failNodeState(
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
        await this.failNodeState(
          st.nodeId,
          iteration,
          st.componentType,
          `Child execution failed: ${outcome.error}`.slice(0, 2000),
          'child_failed',
          st,
        );
        return true;
      }
      this.track(
        running,
        st.nodeId,
        this.execNode(scope, st.nodeId, iteration, loop, signal, { childResults: outcome.results }),
      );
      return true;
    }
    return false;
  }

  // ---- running one node ------------------------------------------------------------------------

  private async execNode(
    scope: Scope,
    nodeId: string,
    iteration: string,
    loop: LoopContext | undefined,
    signal: AbortSignal,
    resume: { resumeInput?: string; childResults?: unknown[] } | undefined,
  ): Promise<NodeOutcome> {
    const node = this.topo.nodes.get(nodeId)!;
    const previous = this.state(nodeId, iteration);
    const type = getNodeType(node.componentType);
    const startedAt = nowIso();
    const needsPerson = node.componentType === 'human_confirmation' || node.interruptBefore;
    if (needsPerson && resume?.resumeInput === undefined) {
      return this.pauseForPerson(node, iteration, 'confirmation', undefined);
    }

    await this.emitNode(
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
      return this.failNode(
        scope,
        node,
        iteration,
        `Unknown node type '${node.componentType}'.`,
        'unknown_type',
        startedAt,
        previous,
      );
    if (!type.run) {
      return this.failNode(
        scope,
        node,
        iteration,
        `Node type '${node.componentType}' is not available yet in this version of Pipelit.`,
        'not_available',
        startedAt,
        previous,
      );
    }

    const maxAttempts = 1 + Math.max(0, Math.min(10, node.config.max_retries ?? 0));
    let attempt = 0;
    let lastError: NodeFailure | undefined;
    while (attempt < maxAttempts) {
      attempt += 1;
      try {
        const prepared = prepareNodeInput(type, node, {
          outputs: this.outputsFor(iteration),
          trigger: this.trigger,
          loop,
        });
        const result = await type.run({
          executionId: this.id,
          workflowSlug: this.graph.workflow.slug,
          nodeId,
          config: prepared.config,
          nodeConfig: prepared.nodeConfig,
          trigger: this.trigger,
          outputs: this.outputsFor(iteration),
          inputs: this.inputsOf(scope, nodeId, iteration),
          loop,
          resumeInput: resume?.resumeInput,
          childResults: resume?.childResults,
          signal,
          log: this.log.child({ node_id: nodeId }),
          emit: (t, data) =>
            void this.emitNode(t as ExecutionEventType, { node_id: nodeId, ...data }, iteration),
          deps: this.deps,
        });
        return await this.handleResult(
          scope,
          node,
          type,
          iteration,
          result,
          startedAt,
          attempt,
          prepared.warnings,
          signal,
          loop,
        );
      } catch (err) {
        if (signal.aborted) return { kind: 'failed', error: 'Aborted.', code: 'aborted', nodeId };
        lastError = err instanceof NodeFailure ? err : new NodeFailure(errorMessage(err), errorCode(err));
        if (attempt < maxAttempts) {
          await this.emitNode(
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
    return this.failNode(
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

  private async handleResult(
    scope: Scope,
    node: GraphNode,
    type: NodeDescriptor,
    iteration: string,
    result: NodeResult,
    startedAt: string,
    attempts: number,
    warnings: string[],
    signal: AbortSignal,
    loop: LoopContext | undefined,
  ): Promise<NodeOutcome> {
    const meta: Record<string, unknown> = warnings.length ? { warnings } : {};
    if (result.children?.length) {
      return this.startChildren(node, iteration, result.children, startedAt, meta);
    }
    if (result.loopItems && this.topo.loops.has(node.nodeId)) {
      return this.runLoop(scope, node, iteration, result, startedAt, signal, meta, loop);
    }
    if (result.delaySeconds && result.delaySeconds > 0) {
      const wakeAt = new Date(Date.now() + result.delaySeconds * 1000).toISOString();
      const st: NodeState = {
        ...baseState(node, iteration, 'waiting', startedAt),
        metadata: { ...meta, kind: 'timer', wake_at: wakeAt, outputs: result.outputs },
      };
      await this.save(st);
      await this.emitNode(
        'node_status',
        { node_id: node.nodeId, status: 'waiting', wake_at: wakeAt },
        iteration,
      );
      return { kind: 'waiting' };
    }
    if (result.finalOutput !== undefined) {
      this.explicitFinal = { value: result.finalOutput };
      meta.final_output = result.finalOutput;
    }
    if (node.interruptAfter && node.componentType !== 'human_confirmation') {
      return this.pauseForPerson(node, iteration, 'confirmation_after', {
        outputs: result.outputs,
        route: result.route,
        ...meta,
      });
    }
    void type;
    await this.succeed(node.nodeId, iteration, result.outputs, undefined, meta, {
      route: result.route ?? null,
      startedAt,
      attempts,
      usage: result.tokenUsage,
    });
    return { kind: 'ok' };
  }

  private async succeed(
    nodeId: string,
    iteration: string,
    outputs: Record<string, unknown>,
    previous: NodeState | undefined,
    meta: Record<string, unknown>,
    extra: { route?: string | null; startedAt?: string; attempts?: number; usage?: TokenUsage } = {},
  ): Promise<void> {
    const node = this.topo.nodes.get(nodeId)!;
    const startedAt = extra.startedAt ?? previous?.startedAt ?? nowIso();
    const completedAt = nowIso();
    const previousMeta = previous?.metadata ?? {};
    const route = extra.route ?? (previous?.metadata.route as string | undefined) ?? null;
    const { kind: _k, outputs: _o, resume_input: _r, ...keptMeta } = previousMeta as Record<string, unknown>;
    const st: NodeState = {
      ...baseState(node, iteration, 'success', startedAt),
      output: outputs,
      route,
      metadata: { ...keptMeta, ...meta },
      attempts: extra.attempts ?? previous?.attempts ?? 1,
      completedAt,
      durationMs: Date.parse(completedAt) - Date.parse(startedAt),
      usage: extra.usage,
    };
    await this.save(st);
    const data: Record<string, unknown> = {
      node_id: nodeId,
      status: 'success',
      duration_ms: st.durationMs,
      output: truncateForEvent(outputs),
    };
    if (route !== null) data.route = route;
    if (extra.usage) data.token_usage = extra.usage;
    await this.emitNode('node_status', data, iteration);
  }

  private async failNode(
    scope: Scope,
    node: GraphNode,
    iteration: string,
    error: string,
    code: string,
    startedAt: string,
    previous: NodeState | undefined,
    attempts = 1,
  ): Promise<NodeOutcome> {
    await this.failNodeState(
      node.nodeId,
      iteration,
      node.componentType,
      error,
      code,
      previous,
      startedAt,
      attempts,
    );
    const handled = (scope.outgoing.get(node.nodeId) ?? []).some((e) => e.label === 'error');
    return handled ? { kind: 'ok' } : { kind: 'failed', error, code, nodeId: node.nodeId };
  }

  private async failNodeState(
    nodeId: string,
    iteration: string,
    componentType: string,
    error: string,
    code: string,
    previous: NodeState | undefined,
    startedAt?: string,
    attempts = 1,
  ): Promise<void> {
    const node = this.topo.nodes.get(nodeId);
    const begin = startedAt ?? previous?.startedAt ?? nowIso();
    const completedAt = nowIso();
    await this.save({
      ...(node
        ? baseState(node, iteration, 'failed', begin)
        : { ...baseStateRaw(nodeId, componentType, iteration, 'failed', begin) }),
      error: error.slice(0, 2000),
      errorCode: code,
      attempts,
      metadata: previous?.metadata.warnings ? { warnings: previous.metadata.warnings } : {},
      completedAt,
      durationMs: Date.parse(completedAt) - Date.parse(begin),
    });
    await this.emitNode(
      'node_status',
      { node_id: nodeId, status: 'failed', error: error.slice(0, 500), error_code: code },
      iteration,
    );
  }

  private async markSkipped(nodeId: string, iteration: string): Promise<void> {
    const node = this.topo.nodes.get(nodeId)!;
    const now = nowIso();
    await this.save({ ...baseState(node, iteration, 'skipped', now), completedAt: now, durationMs: 0 });
    await this.emitNode('node_status', { node_id: nodeId, status: 'skipped' }, iteration);
  }

  private async markCancelledByPerson(st: NodeState, iteration: string): Promise<void> {
    await this.failNodeState(st.nodeId, iteration, st.componentType, 'Denied by a person.', 'denied', st);
    this.abort.abort('cancelled');
    await finishExecution(this.db, this.id, {
      status: 'cancelled',
      errorMessage: 'Denied at a confirmation step.',
    });
    await this.emit('execution_cancelled', { execution_id: this.id });
  }

  private async pauseForPerson(
    node: GraphNode,
    iteration: string,
    kind: 'confirmation' | 'confirmation_after',
    carried: Record<string, unknown> | undefined,
  ): Promise<NodeOutcome> {
    const task = await createPendingTask(this.db, {
      executionId: this.id,
      node,
      userId: this.row.user_id,
      chatId: this.trigger.chat_id === undefined ? null : String(this.trigger.chat_id),
      when: kind === 'confirmation' ? 'before' : 'after',
    });
    await this.save({
      ...baseState(node, iteration, 'waiting', nowIso()),
      metadata: {
        ...(carried ?? {}),
        kind,
        task_id: task.task_id,
        expires_at: task.expires_at,
        prompt: task.prompt,
      },
    });
    await this.emitNode(
      'node_status',
      { node_id: node.nodeId, status: 'waiting', task_id: task.task_id, prompt: task.prompt },
      iteration,
    );
    await this.emit('execution_interrupted', {
      node_id: node.nodeId,
      task_id: task.task_id,
      prompt: task.prompt,
    });
    return { kind: 'waiting' };
  }

  private async startChildren(
    node: GraphNode,
    iteration: string,
    requests: ChildRequest[],
    startedAt: string,
    meta: Record<string, unknown>,
  ): Promise<NodeOutcome> {
    const childIds = await createChildExecutions(this.deps, this.row, this.graph, node.nodeId, requests);
    const deadline = this.row.deadline_at ?? new Date(Date.now() + 600_000).toISOString();
    await this.save({
      ...baseState(node, iteration, 'waiting', startedAt),
      metadata: { ...meta, kind: 'children', child_ids: childIds, deadline },
    });
    await this.emitNode(
      'node_status',
      { node_id: node.nodeId, status: 'waiting', child_execution_ids: childIds },
      iteration,
    );
    for (const id of childIds) await this.deps.queue.enqueue({ executionId: id });
    return { kind: 'waiting' };
  }

  private async runLoop(
    _scope: Scope,
    node: GraphNode,
    iteration: string,
    result: NodeResult,
    startedAt: string,
    signal: AbortSignal,
    meta: Record<string, unknown>,
    _outer: LoopContext | undefined,
  ): Promise<NodeOutcome> {
    const info = this.topo.loops.get(node.nodeId)!;
    const items = result.loopItems ?? [];
    const onError = (node.config.extra_config.on_error as string) === 'continue' ? 'continue' : 'stop';
    const results: unknown[] = [];
    for (let index = 0; index < items.length; index++) {
      const iterKey = `${iteration ? `${iteration}/` : ''}${node.nodeId}:${index}`;
      const outcome = await this.runScope(
        info.body,
        iterKey,
        { item: items[index], index, total: items.length },
        signal,
      );
      if (outcome.kind === 'aborted')
        return { kind: 'failed', error: 'Aborted.', code: 'aborted', nodeId: node.nodeId };
      if (outcome.kind === 'suspend') {
        return {
          kind: 'failed',
          error: 'A loop body cannot wait for a person.',
          code: 'unsupported',
          nodeId: node.nodeId,
        };
      }
      if (outcome.kind === 'failed') {
        if (onError === 'stop') {
          return this.failNode(
            this.topo.main,
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
        const st = this.state(c, iterKey);
        entry[c] =
          st?.status === 'success'
            ? st.output
            : st?.status === 'failed'
              ? { error: st.error, error_code: st.errorCode }
              : null;
      }
      results.push(entry);
    }
    await this.succeed(node.nodeId, iteration, { ...result.outputs, items, results }, undefined, meta, {
      startedAt,
    });
    return { kind: 'ok' };
  }

  // ---- helpers ---------------------------------------------------------------------------------

  /** Outputs visible to a node: the main scope's, overlaid by the enclosing loop iterations'. */
  private outputsFor(iteration: string): Record<string, Record<string, unknown>> {
    const view: Record<string, Record<string, unknown>> = {};
    const levels = [''];
    if (iteration) {
      const parts = iteration.split('/');
      for (let i = 1; i <= parts.length; i++) levels.push(parts.slice(0, i).join('/'));
    }
    const byLevel = new Map(levels.map((l, i) => [l, i]));
    const rank = new Map<string, number>();
    for (const st of this.states.values()) {
      if (st.status !== 'success' || !st.output) continue;
      const level = byLevel.get(st.iteration);
      if (level === undefined) continue;
      if ((rank.get(st.nodeId) ?? -1) > level) continue;
      rank.set(st.nodeId, level);
      view[st.nodeId] = st.output;
    }
    // The trigger's output is its payload, so `{{ trigger_node.text }}` works too.
    if (this.row.trigger_node_id && !view[this.row.trigger_node_id])
      view[this.row.trigger_node_id] = this.trigger;
    return view;
  }

  private inputsOf(scope: Scope, nodeId: string, iteration: string): Record<string, Record<string, unknown>> {
    const inputs: Record<string, Record<string, unknown>> = {};
    for (const edge of scope.incoming.get(nodeId) ?? []) {
      const st = this.state(edge.source, iteration);
      if (st?.status === 'success' && st.output) inputs[edge.source] = st.output;
    }
    return inputs;
  }

  private async save(st: NodeState): Promise<void> {
    this.states.set(stateKey(st.nodeId, st.iteration), st);
    await saveNodeState(this.db, this.id, st);
  }

  private async emit(type: ExecutionEventType, data?: Record<string, unknown>): Promise<void> {
    await publishExecutionEvent(
      this.deps.bus,
      { executionId: this.id, workflowSlug: this.graph?.workflow.slug },
      type,
      data,
    ).catch((err) => this.log.warn({ err }, 'event publish failed'));
  }

  private async emitNode(
    type: ExecutionEventType,
    data: Record<string, unknown>,
    iteration: string,
  ): Promise<void> {
    const payload = iteration ? { ...data, iteration } : data;
    await this.emit(type, payload);
    if (this.row.root_execution_id && type === 'node_status') {
      await publishExecutionEvent(
        this.deps.bus,
        { executionId: this.row.root_execution_id, workflowSlug: this.rootSlug },
        'child_node_status',
        {
          ...payload,
          child_execution_id: this.id,
          parent_node_id: this.row.parent_node_id,
          is_child_event: true,
        },
      ).catch(() => {});
    }
  }

  private async slugOfExecution(executionId: string): Promise<string | null> {
    const row = await this.db
      .selectFrom('executions')
      .innerJoin('workflows', 'workflows.id', 'executions.workflow_id')
      .select('workflows.slug')
      .where('executions.execution_id', '=', executionId)
      .executeTakeFirst();
    return row?.slug ?? null;
  }

  private totals() {
    let input = 0;
    let output = 0;
    let cost = 0;
    let calls = 0;
    let steps = 0;
    let durationMs = 0;
    for (const st of this.states.values()) {
      if (st.status === 'success') steps += 1;
      durationMs += st.durationMs ?? 0;
      if (st.usage) {
        input += st.usage.input_tokens;
        output += st.usage.output_tokens;
        cost += st.usage.cost_usd;
        calls += st.usage.llm_calls;
      }
    }
    return { input, output, cost, calls, steps, durationMs };
  }

  private async complete(): Promise<void> {
    const finalOutput = computeFinalOutput(this.topo, this.states, this.explicitFinal);
    const t = this.totals();
    const done = await finishExecution(this.db, this.id, {
      status: 'completed',
      finalOutput,
      usage: { input: t.input, output: t.output, cost: t.cost, calls: t.calls },
    });
    if (!done) return;
    await this.emit('execution_completed', {
      output: finalOutput,
      activity_summary: {
        total_steps: t.steps,
        total_duration_ms: Date.now() - Date.parse(this.row.started_at ?? nowIso()),
        total_tokens: t.input + t.output,
        total_cost_usd: t.cost,
        llm_calls: t.calls,
        tool_invocations: 0,
        child_count: 0,
      },
    });
    await this.wakeParent();
    await runFinishHooks(this.deps, this.finished('completed', finalOutput, null));
  }

  private finished(status: 'completed' | 'failed', finalOutput: unknown, error: string | null) {
    return {
      executionId: this.id,
      workflowId: this.row.workflow_id,
      status,
      finalOutput,
      error,
      trigger: this.trigger,
    };
  }

  private async fail(message: string, code: string, nodeId: string | null): Promise<void> {
    const t = this.states.size ? this.totals() : undefined;
    const done = await finishExecution(this.db, this.id, {
      status: 'failed',
      errorMessage: message.slice(0, 2000),
      errorCode: code,
      usage: t ? { input: t.input, output: t.output, cost: t.cost, calls: t.calls } : undefined,
    });
    if (!done) return;
    await this.emit('execution_failed', { error: message.slice(0, 500), error_code: code });
    await this.wakeParent();
    if (this.graph) {
      await startErrorHandler(this.deps, this.row, this.graph, { message, code, nodeId }).catch((err) =>
        this.log.warn({ err }, 'could not start the error handler workflow'),
      );
    }
    await runFinishHooks(this.deps, this.finished('failed', null, message));
  }

  private async timeoutFailure(): Promise<void> {
    const limit = this.graph?.workflow.maxExecutionSeconds ?? 0;
    const elapsed = Math.round((Date.now() - Date.parse(this.row.started_at ?? nowIso())) / 1000);
    await this.fail(`Execution timed out after ${elapsed}s (limit: ${limit}s)`, 'timeout', null);
  }

  private async wakeParent(): Promise<void> {
    if (this.row.parent_execution_id)
      await this.deps.queue.enqueue({ executionId: this.row.parent_execution_id });
  }
}

// ---- small pure helpers ----------------------------------------------------------------------------

function isSettled(st: NodeState): boolean {
  return st.status === 'success' || st.status === 'failed' || st.status === 'skipped';
}

function wakeTimeOf(st: NodeState): number | null {
  if (st.metadata.kind === 'timer') return Date.parse(String(st.metadata.wake_at));
  if (st.metadata.kind === 'children') return Date.parse(String(st.metadata.deadline));
  if (st.metadata.kind === 'confirmation' || st.metadata.kind === 'confirmation_after') {
    return st.metadata.resume_input === undefined ? Date.parse(String(st.metadata.expires_at)) : Date.now();
  }
  return null;
}

function baseState(
  node: GraphNode,
  iteration: string,
  status: NodeState['status'],
  startedAt: string,
): NodeState {
  return baseStateRaw(node.nodeId, node.componentType, iteration, status, startedAt);
}

function baseStateRaw(
  nodeId: string,
  componentType: string,
  iteration: string,
  status: NodeState['status'],
  startedAt: string,
): NodeState {
  return {
    nodeId,
    iteration,
    componentType,
    status,
    output: null,
    route: null,
    error: null,
    errorCode: null,
    metadata: {},
    attempts: 1,
    startedAt,
    completedAt: null,
    durationMs: null,
  };
}

function truncateForEvent(outputs: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(outputs)) {
    out[k] =
      typeof v === 'string' && v.length > EVENT_STRING_LIMIT ? `${v.slice(0, EVENT_STRING_LIMIT)}…` : v;
  }
  return out;
}

function safeParse(text: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? v : { value: v };
  } catch {
    return {};
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function errorCode(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && code) return code;
  return err instanceof Error ? err.name : 'Error';
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
