/** Types and small helpers shared by the orchestrator's modules. */
import type { NodeState } from './execution-store.js';
import type { GraphNode } from './graph.js';

/** Waits up to this long happen in process; longer ones suspend the execution durably. */
export const IN_PROCESS_WAIT_MS = 5_000;

/** Event payloads keep node outputs small (spec §6.4). */
export const EVENT_STRING_LIMIT = 2048;

export type NodeOutcome =
  | { kind: 'ok' }
  | { kind: 'failed'; error: string; code: string; nodeId: string }
  | { kind: 'waiting' };

export type ScopeOutcome =
  | { kind: 'completed' }
  | { kind: 'failed'; error: string; code: string; nodeId: string }
  | { kind: 'suspend'; status: 'running' | 'interrupted'; wakeAt: string | null }
  | { kind: 'aborted' };

export interface LoopContext {
  item: unknown;
  index: number;
  total: number;
}

export class NodeFailure extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

export function isSettled(st: NodeState): boolean {
  return st.status === 'success' || st.status === 'failed' || st.status === 'skipped';
}

/**
 * When a waiting node may progress by time alone: a timer's wake time, children's deadline, a loop's
 * earliest inner wake time. A person's answer comes with a queued job, and an expired confirmation is
 * the reaper's, so confirmations have none.
 */
export function wakeTimeOf(st: NodeState): number | null {
  const { kind } = st.metadata;
  if (kind === 'timer') return Date.parse(String(st.metadata.wake_at));
  if (kind === 'children') return Date.parse(String(st.metadata.deadline));
  if (kind === 'loop' && typeof st.metadata.wake_at === 'string') return Date.parse(st.metadata.wake_at);
  return null;
}

/** A waiting node that waits for a person: a confirmation, or a loop whose body waits for one. */
export function waitsForPerson(st: NodeState): boolean {
  const { kind } = st.metadata;
  return (
    kind === 'confirmation' ||
    kind === 'confirmation_after' ||
    (kind === 'loop' && st.metadata.person === true)
  );
}

export function baseState(
  node: GraphNode,
  iteration: string,
  status: NodeState['status'],
  startedAt: string,
): NodeState {
  return baseStateRaw(node.nodeId, node.componentType, iteration, status, startedAt);
}

export function baseStateRaw(
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

export function truncateForEvent(outputs: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(outputs)) {
    out[k] =
      typeof v === 'string' && v.length > EVENT_STRING_LIMIT ? `${v.slice(0, EVENT_STRING_LIMIT)}…` : v;
  }
  return out;
}

export function safeParse(text: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? v : { value: v };
  } catch {
    return {};
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function errorCode(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && code) return code;
  return err instanceof Error ? err.name : 'Error';
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
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
