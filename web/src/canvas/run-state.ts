/**
 * Live node run states fed by WebSocket `node_status` events. Components read one node's state
 * through `useNodeRunState(id)`, so an event re-renders only the node it concerns.
 */
import { useSyncExternalStore } from 'react';

export interface NodeRunState {
  status: string;
  output?: unknown;
  error?: string;
  errorCode?: string;
  durationMs?: number;
}

export class RunStateStore {
  private states = new Map<string, NodeRunState>();
  private listeners = new Map<string, Set<() => void>>();
  private anyListeners = new Set<() => void>();

  get(nodeId: string): NodeRunState | undefined {
    return this.states.get(nodeId);
  }

  set(nodeId: string, state: NodeRunState): void {
    this.states.set(nodeId, state);
    for (const l of this.listeners.get(nodeId) ?? []) l();
    for (const l of this.anyListeners) l();
  }

  reset(): void {
    const ids = [...this.states.keys()];
    this.states = new Map();
    for (const id of ids) for (const l of this.listeners.get(id) ?? []) l();
    for (const l of this.anyListeners) l();
  }

  subscribe(nodeId: string, listener: () => void): () => void {
    const set = this.listeners.get(nodeId) ?? new Set();
    set.add(listener);
    this.listeners.set(nodeId, set);
    return () => set.delete(listener);
  }

  /**
   * Fills states from an execution's stored node logs (after a run ends, or when the socket missed
   * events): the detail has the full output, the event only a truncated one.
   */
  applyLogs(
    logs: Array<{
      node_id: string;
      status: string;
      output: unknown;
      error?: string | null;
      error_code?: string | null;
      duration_ms: number | null;
    }>,
  ): void {
    for (const log of logs) {
      this.set(log.node_id, {
        status: log.status === 'completed' ? 'success' : log.status,
        output: log.output ?? undefined,
        error: log.error ?? undefined,
        errorCode: log.error_code ?? undefined,
        durationMs: log.duration_ms ?? undefined,
      });
    }
  }

  /** Applies one socket message; returns true when it changed something. */
  apply(message: { type: string; data?: Record<string, unknown> }): boolean {
    if (message.type === 'execution_started') {
      this.reset();
      return true;
    }
    if (message.type !== 'node_status' || !message.data) return false;
    const d = message.data;
    if (typeof d.node_id !== 'string' || typeof d.status !== 'string') return false;
    this.set(d.node_id, {
      status: d.status,
      output: d.output,
      error: typeof d.error === 'string' ? d.error : undefined,
      errorCode: typeof d.error_code === 'string' ? d.error_code : undefined,
      durationMs: typeof d.duration_ms === 'number' ? d.duration_ms : undefined,
    });
    return true;
  }
}

/** One store per open editor (the editor page owns it). */
export const runStates = new RunStateStore();

export function useNodeRunState(nodeId: string): NodeRunState | undefined {
  return useSyncExternalStore(
    (cb) => runStates.subscribe(nodeId, cb),
    () => runStates.get(nodeId),
  );
}
