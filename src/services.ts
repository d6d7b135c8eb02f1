/**
 * The shared services every part of the server receives explicitly (no container, no globals).
 */
import type { Settings } from './config.js';
import type { Db } from './db/database.js';
import type { Logger } from './logger.js';
import type { JobQueue } from './queue/job-queue.js';
import type { EventBus } from './realtime/event-bus.js';

export interface Services {
  settings: Settings;
  database: Db;
  log: Logger;
  bus: EventBus;
  /** Where executions are queued (in-process in embedded mode, BullMQ in distributed mode). */
  queue: JobQueue;
}
