/**
 * Starting an execution from any trigger source: one row (status `pending`), one queued job carrying
 * only its id. Everything after that is the orchestrator's (run-execution.ts).
 *
 * When the in-process queue has a free slot (embedded mode), the row is inserted already leased to
 * this process and the job starts in that slot at once: the orchestrator skips claiming it, which
 * saves a write per execution. A crash in between leaves a leased row the reaper recovers.
 *
 * `deferWrite` is for a caller that waits for the outcome (a webhook in wait mode): with a free slot
 * the row is not even inserted yet — the run writes it before its first side-effecting node, pause or
 * child, after 250 ms, or else in its finish transaction (ExecutionRun.store). A run of pure logic
 * nodes then costs one commit. A crash before that write loses the run: the waiting caller's request
 * fails with the process, and nothing outside the run has happened.
 */
import type { Services } from '../services.js';
import { type ExecutionRow, insertExecution, type NewExecution, newExecutionRow } from './execution-store.js';
import { handOverClaimed, takeBackClaimed, WORKER_ID } from './run-execution.js';

export async function startExecution(
  deps: Services,
  input: NewExecution,
  opts: { deferWrite?: boolean } = {},
): Promise<ExecutionRow> {
  const start = deps.queue.reserve?.();
  if (!start) {
    const row = await insertExecution(deps.database.db, input);
    await deps.queue.enqueue({ executionId: row.execution_id });
    return row;
  }
  let row: ExecutionRow;
  try {
    const leased = { ...input, leaseOwner: WORKER_ID };
    row = opts.deferWrite ? newExecutionRow(leased) : await insertExecution(deps.database.db, leased);
  } catch (err) {
    start(null);
    throw err;
  }
  handOverClaimed(row, !opts.deferWrite);
  if (!start({ executionId: row.execution_id })) {
    takeBackClaimed(row.execution_id);
    // The queue closed under us (shutdown): a row never written is written now as a pending one, so
    // the reaper starts it after the restart. An inserted, leased one it recovers anyway.
    if (opts.deferWrite)
      return insertExecution(deps.database.db, { ...input, executionId: row.execution_id });
  }
  return row;
}
