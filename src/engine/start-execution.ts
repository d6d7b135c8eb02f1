/**
 * Starting an execution from any trigger source: one row (status `pending`), one queued job carrying
 * only its id. Everything after that is the orchestrator's (run-execution.ts).
 *
 * When the in-process queue has a free slot (embedded mode), the row is inserted already leased to
 * this process and the job starts in that slot at once: the orchestrator skips claiming it, which
 * saves a write per execution. A crash in between leaves a leased row the reaper recovers.
 */
import type { Services } from '../services.js';
import { type ExecutionRow, insertExecution, type NewExecution } from './execution-store.js';
import { handOverClaimed, WORKER_ID } from './run-execution.js';

export async function startExecution(deps: Services, input: NewExecution): Promise<ExecutionRow> {
  const start = deps.queue.reserve?.();
  if (!start) {
    const row = await insertExecution(deps.database.db, input);
    await deps.queue.enqueue({ executionId: row.execution_id });
    return row;
  }
  let row: ExecutionRow;
  try {
    row = await insertExecution(deps.database.db, { ...input, leaseOwner: WORKER_ID });
  } catch (err) {
    start(null);
    throw err;
  }
  handOverClaimed(row);
  start({ executionId: row.execution_id });
  return row;
}
