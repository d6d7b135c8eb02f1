/**
 * `pipelit worker workflows [--with-scheduler] [--concurrency N]`: runs executions from the Redis
 * queue (distributed mode). Start as many as you like, on as many machines as you like: they share
 * the queue. With `--with-scheduler` the process also fires recurring schedules (each tick fires
 * once however many schedulers run). SIGTERM stops taking jobs and lets running ones finish within
 * `--graceful-timeout`; executions still running then are released for another worker.
 */
import { closeServices, openServices } from '../boot.js';
import { loadSettings } from '../config.js';
import { nowIso } from '../db/values.js';
import { WORKER_ID } from '../engine/run-execution.js';
import { createLogger } from '../logger.js';
import { BullmqQueue, DEFAULT_QUEUE_NAME } from '../queue/bullmq-queue.js';
import { pingRedis, redactRedisUrl } from '../queue/redis-ping.js';
import { DEFAULT_CONCURRENCY, startRuntime } from '../runtime.js';
import { UsageError } from './fail.js';

export interface RawWorkerOptions {
  withScheduler?: boolean;
  concurrency?: string;
  gracefulTimeout?: string;
}

function wholeNumber(name: string, value: string, min: number): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < min) {
    throw new UsageError(`${name}: must be a whole number ≥ ${min} (got ${JSON.stringify(value)})`);
  }
  return Number(value);
}

export async function workerCommand(queueName: string, raw: RawWorkerOptions): Promise<void> {
  if (queueName !== DEFAULT_QUEUE_NAME) {
    throw new UsageError(`unknown queue "${queueName}": the only queue is "${DEFAULT_QUEUE_NAME}"`);
  }
  const concurrency = wholeNumber('--concurrency', raw.concurrency ?? String(DEFAULT_CONCURRENCY.worker), 1);
  const graceful = wholeNumber('--graceful-timeout', raw.gracefulTimeout ?? '30', 0);
  const settings = loadSettings();
  if (!settings.redisUrl) {
    throw new UsageError(
      'REDIS_URL is not set: workers need Redis (distributed mode). Set REDIS_URL=redis://host:6379/0, or run `pipelit serve` alone (embedded mode runs executions itself).',
    );
  }
  try {
    await pingRedis(settings.redisUrl);
  } catch (err) {
    throw new UsageError(
      `Redis is not reachable at ${redactRedisUrl(settings.redisUrl)}: ${(err as Error).message}`,
    );
  }

  const role = `Worker-${process.pid}` as const;
  const log = createLogger(settings, role);
  const withScheduler = raw.withScheduler === true;
  const queue = new BullmqQueue({
    url: settings.redisUrl,
    prefix: settings.queuePrefix,
    log,
    worker: { id: WORKER_ID, role, scheduler: withScheduler },
  });
  const services = await openServices(settings, log, { queue });
  const runtime = await startRuntime(services, { role: 'worker', concurrency, withScheduler });
  log.info(
    { worker_id: WORKER_ID, queue: queue.name, concurrency, scheduler: withScheduler },
    'worker started',
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'worker stopping: finishing running executions');
    const force = setTimeout(async () => {
      log.warn('graceful timeout reached: releasing running executions to other workers');
      try {
        const held = await services.database.db
          .updateTable('executions')
          .set({ lease_owner: null, heartbeat_at: nowIso() })
          .where('lease_owner', '=', WORKER_ID)
          .where('status', '=', 'running')
          .returning('execution_id')
          .execute();
        for (const row of held) await queue.enqueue({ executionId: row.execution_id });
      } finally {
        log.flush?.();
        process.exit(0);
      }
    }, graceful * 1000);
    force.unref();
    try {
      await runtime.stop();
      await closeServices(services);
    } finally {
      clearTimeout(force);
      log.info('worker stopped');
      log.flush?.();
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
