/**
 * In-process job queue for embedded mode. Delayed jobs are timers (durable waits are re-armed
 * from the database by the reaper after a restart). A job enqueued while the same execution is
 * running is kept and runs again afterwards, so no wake-up is lost.
 */
import type { EnqueueOptions, ExecutionJob, JobHandler, JobQueue, QueueStats } from './job-queue.js';

export class LocalQueue implements JobQueue {
  private readonly waiting: string[] = [];
  private readonly queued = new Set<string>();
  private readonly running = new Set<string>();
  /** Slots promised by `reserve` and not started yet. */
  private reserved = 0;
  private readonly rerun = new Set<string>();
  private readonly timers = new Map<ReturnType<typeof setTimeout>, string>();
  private handler?: JobHandler;
  private concurrency = 10;
  private closed = false;
  private failed = 0;
  private idleWaiters: Array<() => void> = [];

  async enqueue(job: ExecutionJob, opts: EnqueueOptions = {}): Promise<void> {
    if (this.closed) return;
    if (opts.delayMs && opts.delayMs > 0) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        void this.enqueue(job);
      }, opts.delayMs);
      timer.unref();
      this.timers.set(timer, job.executionId);
      return;
    }
    const id = job.executionId;
    if (this.running.has(id)) {
      this.rerun.add(id);
      return;
    }
    if (this.queued.has(id)) return;
    this.queued.add(id);
    this.waiting.push(id);
    this.pump();
  }

  consume(handler: JobHandler, opts: { concurrency?: number } = {}): void {
    this.handler = handler;
    this.concurrency = Math.max(1, opts.concurrency ?? 10);
    this.pump();
  }

  reserve(): ((job: ExecutionJob | null) => boolean) | undefined {
    if (!this.handler || this.closed || this.running.size + this.reserved >= this.concurrency)
      return undefined;
    this.reserved += 1;
    let used = false;
    return (job) => {
      if (used) return false;
      used = true;
      this.reserved -= 1;
      if (job && !this.closed && !this.running.has(job.executionId)) {
        this.run(job.executionId);
        return true;
      }
      if (job) void this.enqueue(job);
      else this.pump();
      return false;
    };
  }

  private pump(): void {
    if (!this.handler || this.closed) return;
    while (this.running.size + this.reserved < this.concurrency && this.waiting.length) {
      const id = this.waiting.shift()!;
      this.queued.delete(id);
      this.run(id);
    }
  }

  private run(id: string): void {
    const handler = this.handler!;
    this.running.add(id);
    void handler({ executionId: id })
      .catch(() => {
        this.failed += 1;
      })
      .finally(() => {
        this.running.delete(id);
        if (this.rerun.delete(id)) void this.enqueue({ executionId: id });
        this.pump();
        if (this.running.size === 0 && this.waiting.length === 0) {
          for (const resolve of this.idleWaiters.splice(0)) resolve();
        }
      });
  }

  async stats(): Promise<QueueStats> {
    return {
      pending: this.waiting.length,
      active: this.running.size,
      delayed: this.timers.size,
      failed: this.failed,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers.keys()) clearTimeout(timer);
    this.timers.clear();
    this.waiting.length = 0;
    this.queued.clear();
    if (this.running.size === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }
}
