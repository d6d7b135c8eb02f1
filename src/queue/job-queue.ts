/**
 * The job queue: a narrow interface with two implementations — in-process (`local-queue.ts`,
 * embedded mode) and BullMQ on Redis (distributed mode). A job carries only an execution id; the
 * engine reads everything else from the database, so re-running a job is always safe.
 */
export interface ExecutionJob {
  executionId: string;
}

export interface EnqueueOptions {
  /** Run no earlier than this many ms from now (durable waits, retries). */
  delayMs?: number;
}

export interface QueueStats {
  pending: number;
  active: number;
  delayed: number;
  failed: number;
}

export type JobHandler = (job: ExecutionJob) => Promise<void>;

export interface JobQueue {
  /** Adds a job. Enqueueing an execution that is already waiting in the queue adds nothing. */
  enqueue(job: ExecutionJob, opts?: EnqueueOptions): Promise<void>;
  /** Starts running jobs with `handler`, at most `concurrency` at a time (default 10). */
  consume(handler: JobHandler, opts?: { concurrency?: number }): void;
  /**
   * Reserves a slot to run one job at once, in this process (embedded mode only): returns a function
   * that starts the job in that slot — true when it did; false when the queue closed meanwhile (the
   * job was queued instead) — or undefined when every slot is busy. A reservation that will not be
   * used must be handed back with `start(null)`.
   */
  reserve?(): ((job: ExecutionJob | null) => boolean) | undefined;
  stats(): Promise<QueueStats>;
  /** Stops taking jobs and waits for the running ones. */
  close(): Promise<void>;
}
