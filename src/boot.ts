/**
 * Opens the shared services for a process from its settings: database (migrated), event bus, logger.
 */
import type { Settings } from './config.js';
import { openDatabase } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import type { Logger } from './logger.js';
import type { EventBus } from './realtime/event-bus.js';
import { LocalEventBus } from './realtime/local-event-bus.js';
import type { Services } from './services.js';

export interface BootOptions {
  migrate?: boolean;
  bus?: EventBus;
}

export async function openServices(
  settings: Settings,
  log: Logger,
  opts: BootOptions = {},
): Promise<Services> {
  const database = openDatabase(settings.database);
  try {
    if (opts.migrate !== false) {
      const { applied } = await migrateToLatest(database);
      if (applied.length) log.info({ applied }, 'database migrated');
    }
  } catch (err) {
    await database.close();
    throw err;
  }
  const bus = opts.bus ?? new LocalEventBus();
  return { settings, database, log, bus };
}

export async function closeServices(services: Services): Promise<void> {
  await services.bus.close();
  await services.database.close();
}
