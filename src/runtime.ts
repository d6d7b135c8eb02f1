/**
 * Background work a process runs besides answering HTTP: in embedded mode the server process also
 * runs executions, the scheduler and the reaper; in distributed mode `pipelit worker` does.
 * Each feature adds its start/stop here.
 */
import { startSecurityPruning } from './audit/prune-audit-events.js';
import { consumeExecutions } from './engine/execution-worker.js';
import { onExecutionFinished } from './engine/finish-hooks.js';
import { startReaper } from './engine/reaper.js';
import { watchCancellations } from './engine/run-execution.js';
import { deliverGatewayReply } from './gateway/deliver-on-finish.js';
import { recordEpisodeOnFinish } from './memory/episode-on-finish.js';
import { startMemoryPruning } from './memory/prune-memory.js';
import { startExecutionPruning } from './retention/start-execution-pruning.js';
import { Scheduler } from './schedules/scheduler.js';
import type { Services } from './services.js';
import { watchSettingsChanges } from './settings/hot-reload.js';

export interface Runtime {
  stop(): Promise<void>;
}

/**
 * Executions a process runs at once unless told otherwise. The embedded server is the only process
 * running executions and most of their time is spent waiting on I/O (models, HTTP), so it takes more
 * at once: a burst of webhooks then runs at once instead of queueing behind 20.
 */
export const DEFAULT_CONCURRENCY = { worker: 20, server: 100 } as const;

export interface RuntimeOptions {
  role: 'server' | 'worker';
  /** Executions this process runs at once (default: DEFAULT_CONCURRENCY for the role). */
  concurrency?: number;
  /** Workers: also fire recurring schedules (`--with-scheduler`); the embedded server always does. */
  withScheduler?: boolean;
}

export async function startRuntime(services: Services, opts: RuntimeOptions): Promise<Runtime> {
  const stops: Array<() => Promise<void>> = [];
  // Hot settings changes (log level, zombie threshold) reach every process through the bus.
  stops.push(await watchSettingsChanges(services));
  // Audit-log retention and stale login/MFA counters (hourly timer, unref'd).
  if (opts.role === 'server') stops.push(startSecurityPruning(services));
  // Execution retention: every process starts it, a DB lease lets one per cluster prune (unref'd).
  stops.push(startExecutionPruning(services));
  // Agent memory retention (MEMORY_RETENTION_DAYS; hourly, unref'd; nothing when 0).
  stops.push(startMemoryPruning(services));
  // Executions run where the queue is consumed: the server itself in embedded mode, workers otherwise.
  const runsExecutions = opts.role === 'worker' || !services.settings.redisUrl;
  if (runsExecutions) {
    // What other features do when an execution ends, in the process that ends it (idempotent).
    onExecutionFinished(deliverGatewayReply);
    onExecutionFinished(recordEpisodeOnFinish);
    // Before the first run: a cancel for any execution running here arrives on one channel.
    stops.push(await watchCancellations(services));
    consumeExecutions(services, opts.concurrency ?? DEFAULT_CONCURRENCY[opts.role]);
    const stopReaper = startReaper(services);
    stops.push(async () => stopReaper());
  }
  // Schedules fire from any number of processes; each tick is claimed once in the database.
  if (opts.withScheduler || (opts.role === 'server' && !services.settings.redisUrl)) {
    stops.push(new Scheduler(services).start());
  }
  return {
    async stop() {
      for (const stop of stops.reverse()) await stop();
    },
  };
}
