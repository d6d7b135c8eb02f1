/**
 * Work other features do when an execution ends (completed, failed or cancelled), in the process that
 * ended it: delivering a gateway reply, writing a memory episode. Hooks are registered by the runtime
 * of a process that runs executions; a failing hook is logged and never affects the execution.
 */
import type { Services } from '../services.js';

export interface FinishedExecution {
  executionId: string;
  workflowId: number;
  status: 'completed' | 'failed' | 'cancelled';
  finalOutput: unknown;
  error: string | null;
  trigger: Record<string, unknown>;
  /** What the engine knew about the run, so hooks need not read it back (absent: read it). */
  known?: {
    /** The component types of the workflow's nodes. */
    componentTypes: string[];
    /** The component type of the trigger node that started it. */
    triggerType: string | null;
    /** The platform user who started it. */
    userId: number | null;
  };
}

export type FinishHook = (deps: Services, finished: FinishedExecution) => Promise<void>;

const hooks = new Set<FinishHook>();

/** Registers a hook; returns a function that removes it. */
export function onExecutionFinished(hook: FinishHook): () => void {
  hooks.add(hook);
  return () => {
    hooks.delete(hook);
  };
}

export async function runFinishHooks(deps: Services, finished: FinishedExecution): Promise<void> {
  for (const hook of hooks) {
    try {
      await hook(deps, finished);
    } catch (err) {
      deps.log.warn({ err, execution_id: finished.executionId }, 'execution finish hook failed');
    }
  }
}
