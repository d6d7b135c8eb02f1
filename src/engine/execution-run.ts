/**
 * The state of one run of an execution — graph, topology, node states, abort signal — and the small
 * helpers every part of the orchestrator shares (outputs visible to a node, saving a state, events).
 */
import type { Logger } from '../logger.js';
import { getNodeType } from '../nodes/registry.js';
import { type ExecutionEventType, publishExecutionEvent } from '../realtime/events.js';
import type { SavePolicyHint } from '../retention/save-policy.js';
import {
  type ExecutionRow,
  type FinishFields,
  finishExecution,
  insertExecutionRow,
  type NodeState,
  saveNodeStates,
  stateKey,
  type UnsavedState,
} from './execution-store.js';
import type { WorkflowGraph } from './graph.js';
import type { NewPendingTask } from './pending-tasks.js';
import type { EngineDeps } from './run-execution.js';
import { type LoopContext, safeParse } from './run-helpers.js';
import type { Scope, Topology } from './topology.js';

/** Bounds the memory held by unwritten states (a long loop of pure nodes). */
const MAX_UNSAVED = 200;
/** A run whose row is not written yet (a deferred start) writes it after this long at the latest. */
export const STORE_AFTER_MS = 250;

export class ExecutionRun {
  readonly db;
  graph!: WorkflowGraph;
  topo!: Topology;
  states = new Map<string, NodeState>();
  readonly abort = new AbortController();
  explicitFinal: { value: unknown } | undefined;
  /** Waiting loop nodes this run has resumed once already (see checkWaiting): state keys. */
  readonly resumedLoops = new Set<string>();
  rootSlug: string | null = null;
  trigger: Record<string, unknown>;
  /**
   * Node states not written yet: results of replayable nodes (see NodeFlags.replayable) wait for the
   * next durable write — another node's result, a suspend, or the finish — so a run of pure logic
   * nodes costs one transaction, not one per node. A crash loses only work that is safe to redo.
   */
  private unsaved = new Map<string, NodeState>();
  /** What running nodes were given, until their row is saved (see noteInput). */
  private notedInputs = new Map<string, unknown>();
  /** A deadline fixed by this run and not written yet (written with the next durable write). */
  unsavedDeadline: string | null = null;
  private nodeInputsStored = false;
  /**
   * The execution row itself is not in the database yet (a deferred start, see start-execution.ts).
   * `store()` writes it before anything that must outlive a crash — a side-effecting node, a pause,
   * a child execution, a node row — and after STORE_AFTER_MS at the latest; a run that ends before
   * any of these writes it in its finish transaction.
   */
  private unstored = false;
  private storing: Promise<void> | undefined;
  private storeTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly deps: EngineDeps,
    readonly row: ExecutionRow,
  ) {
    this.db = deps.database.db;
    this.trigger = safeParse(row.trigger_payload);
  }

  private logger: Logger | undefined;
  /** The run's logger, made on first use: most runs log nothing, and a child logger is not free. */
  get log(): Logger {
    this.logger ??= this.deps.log.child({ execution_id: this.row.execution_id });
    return this.logger;
  }

  get id() {
    return this.row.execution_id;
  }

  state(nodeId: string, iteration: string): NodeState | undefined {
    return this.states.get(stateKey(nodeId, iteration));
  }

  /** Outputs visible to a node: the main scope's, overlaid by the enclosing loop iterations'. */
  outputsFor(iteration: string): Record<string, Record<string, unknown>> {
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

  /** Outputs of the nodes wired into `nodeId` (incoming edges) that succeeded. */
  inputsOf(scope: Scope, nodeId: string, iteration: string): Record<string, Record<string, unknown>> {
    const inputs: Record<string, Record<string, unknown>> = {};
    for (const edge of scope.incoming.get(nodeId) ?? []) {
      const st = this.state(edge.source, iteration);
      if (st?.status === 'success' && st.output) inputs[edge.source] = st.output;
    }
    return inputs;
  }

  /**
   * Remembers what a node is given — the outputs wired into it, the trigger's payload for the nodes
   * right after the trigger, and the loop context — for its row: kept when it fails, and on success
   * only under the `all` save policy. Not its rendered config, which may hold secrets typed into it.
   */
  noteInput(
    scope: Scope,
    nodeId: string,
    iteration: string,
    inputs: Record<string, Record<string, unknown>>,
    loop: LoopContext | undefined,
  ): void {
    // The main scope's entry nodes hang off the trigger (its edge is not among the scope's). A copy:
    // `inputs` is what the node itself receives.
    const fromTrigger = scope === this.topo.main && scope.entries.has(nodeId);
    const given =
      fromTrigger || loop
        ? {
            ...inputs,
            ...(fromTrigger ? { [this.row.trigger_node_id ?? 'trigger']: this.trigger } : {}),
            ...(loop ? { loop } : {}),
          }
        : inputs;
    this.notedInputs.set(stateKey(nodeId, iteration), given);
  }

  /** Records a state in memory, to be written with the next durable write. */
  private remember(st: NodeState): void {
    const key = stateKey(st.nodeId, st.iteration);
    const noted = this.notedInputs.get(key);
    if (noted !== undefined && (st.status === 'success' || st.status === 'failed')) {
      this.notedInputs.delete(key);
      if (st.status === 'failed' || this.graph?.workflow.savePolicy === 'all') st.input ??= noted;
    }
    this.states.set(key, st);
    this.unsaved.set(key, st);
    if (st.input !== undefined) this.nodeInputsStored = true;
  }

  async save(st: NodeState): Promise<void> {
    this.remember(st);
    const replayable = getNodeType(st.componentType)?.flags.replayable || st.status === 'skipped';
    if (!replayable || st.status === 'waiting' || this.unsaved.size >= MAX_UNSAVED) await this.flush();
  }

  /** Marks the row as not written yet (see `unstored`) and arms the STORE_AFTER_MS timer. */
  deferStore(): void {
    this.unstored = true;
    this.storeTimer = setTimeout(
      () => void this.store().catch((err) => this.log.warn({ err }, 'could not write the execution')),
      STORE_AFTER_MS,
    );
    this.storeTimer.unref();
  }

  /** Writes the execution row if it is not in the database yet; resolves once it is there. */
  async store(): Promise<void> {
    if (this.unstored) {
      clearTimeout(this.storeTimer);
      this.storing ??= insertExecutionRow(this.db, this.row).then(() => {
        this.unstored = false;
      });
    }
    await this.storing;
  }

  /** Ends the execution (unless it already ended) with everything this run has not written yet. */
  async finish(fields: FinishFields): Promise<boolean> {
    clearTimeout(this.storeTimer);
    if (this.storing) await this.storing;
    // Never written: the finish transaction inserts it first (the run's only commit).
    const insert = this.unstored ? this.row : undefined;
    this.unstored = false;
    const finished = finishExecution(this.db, this.id, fields, {
      unsaved: this.takeUnsaved(),
      savePolicy: this.savePolicyHint(fields.status),
      insert,
    });
    // A store() meanwhile (writeDeferredExecution) waits for this transaction instead.
    if (insert)
      this.storing = finished.then(
        () => {},
        () => {},
      );
    return finished;
  }

  /** Saves a paused node's waiting state together with the pending task a person answers. */
  async saveWaiting(st: NodeState, task: NewPendingTask): Promise<void> {
    this.remember(st);
    await this.store();
    await saveNodeStates(this.db, this.id, this.takeUnsaved(), task);
  }

  /** Writes the node states and deadline not written yet, in one transaction. */
  async flush(): Promise<void> {
    await this.store();
    const pending = this.takeUnsaved();
    if (pending.states.length || pending.deadline) await saveNodeStates(this.db, this.id, pending);
  }

  /** What the save policy needs to know, when the graph is loaded (else it reads it back). */
  savePolicyHint(status: string): SavePolicyHint | undefined {
    if (!this.graph) return undefined;
    return {
      policy: this.graph.workflow.savePolicy,
      status,
      triggerPayloadChars: this.row.trigger_payload.length,
      nodeInputsStored: this.nodeInputsStored,
    };
  }

  /** Hands the unwritten states over to a caller that writes them in its own transaction. */
  takeUnsaved(): UnsavedState {
    const states = [...this.unsaved.values()];
    const deadline = this.unsavedDeadline;
    this.unsaved.clear();
    this.unsavedDeadline = null;
    return { states, deadline };
  }

  async emit(type: ExecutionEventType, data?: Record<string, unknown>): Promise<void> {
    await publishExecutionEvent(
      this.deps.bus,
      { executionId: this.id, workflowSlug: this.graph?.workflow.slug },
      type,
      data,
    ).catch((err) => this.log.warn({ err }, 'event publish failed'));
  }

  async emitNode(type: ExecutionEventType, data: Record<string, unknown>, iteration: string): Promise<void> {
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

  async slugOfExecution(executionId: string): Promise<string | null> {
    const row = await this.db
      .selectFrom('executions')
      .innerJoin('workflows', 'workflows.id', 'executions.workflow_id')
      .select('workflows.slug')
      .where('executions.execution_id', '=', executionId)
      .executeTakeFirst();
    return row?.slug ?? null;
  }

  totals() {
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

  finished(status: 'completed' | 'failed', finalOutput: unknown, error: string | null) {
    return {
      executionId: this.id,
      workflowId: this.row.workflow_id,
      status,
      finalOutput,
      error,
      trigger: this.trigger,
      known: this.graph
        ? {
            componentTypes: this.graph.nodes.map((n) => n.componentType),
            triggerType:
              this.graph.nodes.find((n) => n.nodeId === this.row.trigger_node_id)?.componentType ?? null,
            userId: this.row.user_id,
          }
        : undefined,
    };
  }
}
