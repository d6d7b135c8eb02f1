/**
 * BullMQ job queue for distributed mode (queue `workflows` on Redis). Every worker process on every
 * machine consumes the same queue, so they share the work.
 *
 * Job ids: a pending job is deduplicated per execution with a small marker key
 * (`<prefix>:<queue>:pending:<executionId>` → job id) that the worker clears the moment it takes the
 * job, before the engine reads any state. So enqueueing an execution that is already waiting adds
 * nothing, but enqueueing one that is running adds a fresh job (unique id) that runs afterwards: no
 * wake-up is lost, and the engine's lease makes an extra run harmless. Delayed jobs (durable waits,
 * busy retries) always get their own id.
 *
 * A killed worker's jobs are "stalled": their lock expires after `lockDurationMs` and another worker's
 * stalled check (every `stalledIntervalMs`) puts them back in the wait list.
 */
import { randomUUID } from 'node:crypto';
import { type ConnectionOptions, type Job, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import type { EnqueueOptions, ExecutionJob, JobHandler, JobQueue, QueueStats } from './job-queue.js';
import { startWorkerHeartbeat, type WorkerInfo } from './worker-registry.js';

export const DEFAULT_QUEUE_NAME = 'workflows';
export const DEFAULT_PREFIX = 'pipelit';

export interface BullmqQueueOptions {
  /** `redis://…` */
  url: string;
  /** Queue name (default `workflows`); tests use a random one. */
  name?: string;
  /** Key prefix in Redis: settings.queuePrefix (PIPELIT_QUEUE_PREFIX); default `pipelit`. */
  prefix?: string;
  /** How long a worker's lock on a job lives without renewal (default 30 s). */
  lockDurationMs?: number;
  /** How often a worker looks for stalled jobs of dead workers (default 15 s). */
  stalledIntervalMs?: number;
  /** Identity and labels published in the worker heartbeat (`pipelit queue info`). */
  worker?: Omit<WorkerInfo, 'concurrency' | 'queue'>;
  log?: Logger;
}

const CLEAR_PENDING = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`;
/** A marker older than this is treated as lost (its job is looked up before trusting it anyway). */
const PENDING_TTL_MS = 24 * 3600 * 1000;

/** ioredis options BullMQ needs (commands wait for a reconnect instead of failing). */
export function redisConnectionOptions(name: string) {
  return { maxRetriesPerRequest: null, enableReadyCheck: true, connectionName: name } as const;
}

export class BullmqQueue implements JobQueue {
  readonly name: string;
  readonly prefix: string;
  readonly redis: Redis;
  private readonly queue: Queue;
  private worker?: Worker;
  private workerConnection?: Redis;
  private stopHeartbeat?: () => Promise<void>;
  private closed = false;

  constructor(private readonly opts: BullmqQueueOptions) {
    this.name = opts.name ?? DEFAULT_QUEUE_NAME;
    this.prefix = opts.prefix ?? DEFAULT_PREFIX;
    this.redis = new Redis(opts.url, redisConnectionOptions('pipelit-queue'));
    let reported = false;
    this.redis.on('error', (err: Error) => {
      if (reported || this.closed) return;
      reported = true;
      opts.log?.warn({ err: err.message }, 'job queue: Redis connection problem');
    });
    this.redis.on('ready', () => {
      reported = false;
    });
    this.queue = new Queue(this.name, {
      connection: this.redis as unknown as ConnectionOptions,
      prefix: this.prefix,
      defaultJobOptions: { removeOnComplete: true, removeOnFail: { count: 1000 }, attempts: 1 },
    });
    this.queue.on('error', () => {}); // reported once by the connection above
  }

  private pendingKey(executionId: string): string {
    return `${this.prefix}:${this.name}:pending:${executionId}`;
  }

  async enqueue(job: ExecutionJob, opts: EnqueueOptions = {}): Promise<void> {
    if (this.closed) return;
    const { executionId } = job;
    if (opts.delayMs && opts.delayMs > 0) {
      await this.queue.add(
        'execution',
        { executionId },
        { jobId: `x-${executionId}-d${randomUUID()}`, delay: Math.ceil(opts.delayMs) },
      );
      return;
    }
    const key = this.pendingKey(executionId);
    const jobId = `x-${executionId}-${randomUUID()}`;
    const set = await this.redis.set(key, jobId, 'PX', PENDING_TTL_MS, 'NX');
    if (set !== 'OK') {
      // Someone queued it already: trust the marker only while its job is really still waiting.
      const existing = await this.redis.get(key);
      if (existing) {
        const state = await this.queue.getJobState(existing);
        if (state === 'waiting' || state === 'prioritized' || state === 'waiting-children') return;
      }
      await this.redis.set(key, jobId, 'PX', PENDING_TTL_MS);
    }
    await this.queue.add('execution', { executionId }, { jobId });
  }

  consume(handler: JobHandler, opts: { concurrency?: number } = {}): void {
    if (this.worker) throw new Error('this queue is already consumed');
    const concurrency = Math.max(1, opts.concurrency ?? 10);
    const lockDuration = this.opts.lockDurationMs ?? 30_000;
    this.workerConnection = this.redis.duplicate({ connectionName: 'pipelit-worker' });
    this.workerConnection.on('error', () => {}); // reported by the worker's error event
    this.worker = new Worker(
      this.name,
      async (job: Job<ExecutionJob>) => {
        const executionId = job.data.executionId;
        // Clear the marker before the engine reads anything, so a later enqueue adds a new job.
        await this.redis.eval(CLEAR_PENDING, 1, this.pendingKey(executionId), job.id ?? '');
        await handler({ executionId });
      },
      {
        connection: this.workerConnection as unknown as ConnectionOptions,
        prefix: this.prefix,
        concurrency,
        lockDuration,
        stalledInterval: this.opts.stalledIntervalMs ?? 15_000,
        // The reaper is the final safety net; let BullMQ retry stalled jobs a few times first.
        maxStalledCount: 5,
        autorun: true,
      },
    );
    let reported = false;
    this.worker.on('error', (err) => {
      if (reported || this.closed) return;
      reported = true;
      this.opts.log?.warn({ err: err.message }, 'job queue worker: Redis problem (will retry)');
      setTimeout(() => {
        reported = false;
      }, 30_000).unref();
    });
    if (this.opts.worker) {
      this.stopHeartbeat = startWorkerHeartbeat(this.redis, this.prefix, {
        ...this.opts.worker,
        queue: this.name,
        concurrency,
      });
    }
  }

  async stats(): Promise<QueueStats> {
    const c = await this.queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed');
    return {
      pending: (c.waiting ?? 0) + (c.prioritized ?? 0),
      active: c.active ?? 0,
      delayed: c.delayed ?? 0,
      failed: c.failed ?? 0,
    };
  }

  /** Stops taking jobs, waits for running ones (`force` abandons them: their lock expires). */
  async close(force = false): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.stopHeartbeat?.().catch(() => {});
    if (this.worker) await this.worker.close(force).catch(() => {});
    if (this.workerConnection) {
      await this.workerConnection.quit().catch(() => {});
      this.workerConnection.disconnect();
    }
    await this.queue.close().catch(() => {});
    await this.redis.quit().catch(() => {});
    this.redis.disconnect();
  }

  /** Deletes every key of this queue (tests and benchmarks with random queue names). */
  async obliterate(): Promise<void> {
    await this.queue.obliterate({ force: true });
    const stream = this.redis.scanStream({ match: `${this.prefix}:${this.name}:pending:*`, count: 500 });
    for await (const keys of stream as AsyncIterable<string[]>)
      if (keys.length) await this.redis.del(...keys);
  }
}
