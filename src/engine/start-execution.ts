/**
 * Starting an execution from any trigger source: one row (status `pending`), one queued job carrying
 * only its id. Everything after that is the orchestrator's (run-execution.ts).
 */
import type { Services } from '../services.js';
import { type ExecutionRow, insertExecution, type NewExecution } from './execution-store.js';

export async function startExecution(deps: Services, input: NewExecution): Promise<ExecutionRow> {
  const row = await insertExecution(deps.database.db, input);
  await deps.queue.enqueue({ executionId: row.execution_id });
  return row;
}
