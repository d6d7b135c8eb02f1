/** When a node may run: every incoming edge settled and at least one active — else it is skipped. */
import type { ExecutionRun } from './execution-run.js';
import type { NodeState } from './execution-store.js';
import type { GraphEdge } from './graph.js';
import { isSettled } from './run-helpers.js';
import type { Scope } from './topology.js';

/** Whether an edge carries control given its source's outcome (spec §7.10 routing rules). */
export function edgeActive(
  _run: ExecutionRun,
  edge: GraphEdge,
  source: NodeState | undefined,
  scope: Scope,
): boolean {
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

/** `run` when the node can run now, `skip` when it never will, `wait` while inputs are pending. */
export function readiness(
  run: ExecutionRun,
  scope: Scope,
  nodeId: string,
  iteration: string,
): 'run' | 'skip' | 'wait' {
  const edges = scope.incoming.get(nodeId) ?? [];
  if (edges.length === 0) return 'run';
  let active = scope.entries.has(nodeId);
  for (const edge of edges) {
    const source = run.state(edge.source, iteration);
    if (!source || !isSettled(source)) return 'wait';
    if (edgeActive(run, edge, source, scope)) active = true;
  }
  return active ? 'run' : 'skip';
}
