/** Recording a node run's outcome: its row (success, failed, skipped) and its `node_status` event. */
import { nowIso } from '../db/values.js';
import type { TokenUsage } from '../nodes/define-node.js';
import type { ExecutionRun } from './execution-run.js';
import type { NodeState } from './execution-store.js';
import type { GraphNode } from './graph.js';
import { baseState, baseStateRaw, type NodeOutcome, truncateForEvent } from './run-helpers.js';
import type { Scope } from './topology.js';

/** Stores a successful node run (and its route) and announces it. */
export async function succeed(
  run: ExecutionRun,
  nodeId: string,
  iteration: string,
  outputs: Record<string, unknown>,
  previous: NodeState | undefined,
  meta: Record<string, unknown>,
  extra: { route?: string | null; startedAt?: string; attempts?: number; usage?: TokenUsage } = {},
): Promise<void> {
  const node = run.topo.nodes.get(nodeId)!;
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
  await run.save(st);
  const data: Record<string, unknown> = {
    node_id: nodeId,
    status: 'success',
    duration_ms: st.durationMs,
    output: truncateForEvent(outputs),
  };
  if (route !== null) data.route = route;
  if (extra.usage) data.token_usage = extra.usage;
  await run.emitNode('node_status', data, iteration);
}

/** Stores a failed node run; the failure is handled when the node has an `error` edge. */
export async function failNode(
  run: ExecutionRun,
  scope: Scope,
  node: GraphNode,
  iteration: string,
  error: string,
  code: string,
  startedAt: string,
  previous: NodeState | undefined,
  attempts = 1,
): Promise<NodeOutcome> {
  await failNodeState(
    run,
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

/** Writes a failed node row and its `node_status: failed` event. */
export async function failNodeState(
  run: ExecutionRun,
  nodeId: string,
  iteration: string,
  componentType: string,
  error: string,
  code: string,
  previous: NodeState | undefined,
  startedAt?: string,
  attempts = 1,
): Promise<void> {
  const node = run.topo.nodes.get(nodeId);
  const begin = startedAt ?? previous?.startedAt ?? nowIso();
  const completedAt = nowIso();
  await run.save({
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
  await run.emitNode(
    'node_status',
    { node_id: nodeId, status: 'failed', error: error.slice(0, 500), error_code: code },
    iteration,
  );
}

/** A node none of whose incoming edges was taken. */
export async function markSkipped(run: ExecutionRun, nodeId: string, iteration: string): Promise<void> {
  const node = run.topo.nodes.get(nodeId)!;
  const now = nowIso();
  await run.save({ ...baseState(node, iteration, 'skipped', now), completedAt: now, durationMs: 0 });
  await run.emitNode('node_status', { node_id: nodeId, status: 'skipped' }, iteration);
}
