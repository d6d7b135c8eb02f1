/**
 * Connects the job queue to the orchestrator: each job runs (or resumes) one execution. A job for an
 * execution another live worker holds is retried shortly, so no wake-up is lost.
 */
import type { Services } from '../services.js';
import { runExecution } from './run-execution.js';

const BUSY_RETRY_MS = 250;

export function consumeExecutions(deps: Services, concurrency: number): void {
  deps.queue.consume(
    async ({ executionId }) => {
      try {
        const result = await runExecution(deps, executionId);
        if (result === 'busy') await deps.queue.enqueue({ executionId }, { delayMs: BUSY_RETRY_MS });
      } catch (err) {
        deps.log.error({ err, execution_id: executionId }, 'execution job failed');
        throw err;
      }
    },
    { concurrency },
  );
}
