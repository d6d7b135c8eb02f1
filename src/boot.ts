/**
 * Opens the shared services for a process from its settings: database (migrated), event bus, logger.
 */
import type { Settings } from './config.js';
import { openDatabase } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import type { Logger } from './logger.js';
import { instrumentBus } from './metrics/execution-metrics.js';
import { BullmqQueue } from './queue/bullmq-queue.js';
import type { JobQueue } from './queue/job-queue.js';
import { LocalQueue } from './queue/local-queue.js';
import type { EventBus } from './realtime/event-bus.js';
import { LocalEventBus } from './realtime/local-event-bus.js';
import { RedisEventBus } from './realtime/redis-event-bus.js';
import type { Services } from './services.js';

export interface BootOptions {
  migrate?: boolean;
  bus?: EventBus;
  queue?: JobQueue;
}

export async function openServices(
  settings: Settings,
  log: Logger,
  opts: BootOptions = {},
): Promise<Services> {
  const database = openDatabase(settings.database, { backgroundCheckpoint: true });
  try {
    if (opts.migrate !== false) {
      const { applied } = await migrateToLatest(database);
      if (applied.length) log.info({ applied }, 'database migrated');
    }
  } catch (err) {
    await database.close();
    throw err;
  }
  const bus =
    opts.bus ?? (settings.redisUrl ? new RedisEventBus(settings.redisUrl, { log }) : new LocalEventBus());
  const queue =
    opts.queue ??
    (settings.redisUrl
      ? new BullmqQueue({ url: settings.redisUrl, prefix: settings.queuePrefix, log })
      : new LocalQueue());
  // The wrapper counts execution and node events for /metrics (src/metrics/execution-metrics.ts).
  return { settings, database, log, bus: instrumentBus(bus, settings, log), queue };
}

export async function closeServices(services: Services): Promise<void> {
  await services.queue.close();
  await services.bus.close();
  await services.database.close();
}
