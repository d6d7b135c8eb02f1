/** Ending an execution: final output and totals, events, the parent woken, error handler, finish hooks. */
import { nowIso } from '../db/values.js';
import { startErrorHandler } from './error-handler-workflow.js';
import type { ExecutionRun } from './execution-run.js';
import { computeFinalOutput } from './final-output.js';
import { runFinishHooks } from './finish-hooks.js';

/** Marks the execution completed with its final output, then runs what follows a finish. */
export async function complete(run: ExecutionRun): Promise<void> {
  const finalOutput = computeFinalOutput(run.topo, run.states, run.explicitFinal);
  const t = run.totals();
  const done = await run.finish({
    status: 'completed',
    finalOutput,
    usage: { input: t.input, output: t.output, cost: t.cost, calls: t.calls },
  });
  if (!done) return;
  await run.emit('execution_completed', {
    output: finalOutput,
    activity_summary: {
      total_steps: t.steps,
      total_duration_ms: Date.now() - Date.parse(run.row.started_at ?? nowIso()),
      total_tokens: t.input + t.output,
      total_cost_usd: t.cost,
      llm_calls: t.calls,
      tool_invocations: 0,
      child_count: 0,
    },
  });
  await wakeParent(run);
  await runFinishHooks(run.deps, run.finished('completed', finalOutput, null));
}

/** Marks the execution failed; starts the workflow's error handler if it has one. */
export async function fail(
  run: ExecutionRun,
  message: string,
  code: string,
  nodeId: string | null,
): Promise<void> {
  const t = run.states.size ? run.totals() : undefined;
  const done = await run.finish({
    status: 'failed',
    errorMessage: message.slice(0, 2000),
    errorCode: code,
    usage: t ? { input: t.input, output: t.output, cost: t.cost, calls: t.calls } : undefined,
  });
  if (!done) return;
  await run.emit('execution_failed', { error: message.slice(0, 500), error_code: code });
  await wakeParent(run);
  if (run.graph) {
    await startErrorHandler(run.deps, run.row, run.graph, { message, code, nodeId }).catch((err) =>
      run.log.warn({ err }, 'could not start the error handler workflow'),
    );
  }
  await runFinishHooks(run.deps, run.finished('failed', null, message));
}

/** The wall-clock limit passed. */
export async function timeoutFailure(run: ExecutionRun): Promise<void> {
  const limit = run.graph?.workflow.maxExecutionSeconds ?? 0;
  const elapsed = Math.round((Date.now() - Date.parse(run.row.started_at ?? nowIso())) / 1000);
  await fail(run, `Execution timed out after ${elapsed}s (limit: ${limit}s)`, 'timeout', null);
}

/** A child execution ended: its parent re-checks its waiting node. */
export async function wakeParent(run: ExecutionRun): Promise<void> {
  if (run.row.parent_execution_id) await run.deps.queue.enqueue({ executionId: run.row.parent_execution_id });
}
