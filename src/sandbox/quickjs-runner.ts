/**
 * Runs JavaScript code-node bodies in QuickJS (WASM) with no host access.
 *
 * Scripts run in a small pool of worker threads, so a busy or endless script never blocks the event
 * loop and an `AbortSignal` can stop it mid-loop (a shared flag the QuickJS interrupt handler
 * reads). Each worker loads the WASM module once; each run gets a fresh context, disposed
 * afterwards, on a runtime the worker reuses for a bounded number of runs (see
 * quickjs-worker-main.ts). A worker that does not answer in time is terminated and replaced.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { quickjsWorkerMain } from './quickjs-worker-main.js';

/** Why a run failed. */
export type CodeExecutionErrorKind =
  | 'timeout'
  | 'memory'
  | 'output_too_large'
  | 'aborted'
  | 'runtime'
  | 'not_serialisable';

/** A script that failed, was stopped, or returned something unusable. */
export class CodeExecutionError extends Error {
  override name = 'CodeExecutionError';
  constructor(
    readonly kind: CodeExecutionErrorKind,
    message: string,
    /** `console.log` lines captured before the failure. */
    readonly logs: string[] = [],
  ) {
    super(message);
  }
}

/** Limits for one run. */
export interface RunJavaScriptOptions {
  /** Wall-clock limit. @defaultValue 10_000 */
  timeoutMs?: number;
  /** QuickJS heap limit. @defaultValue 64 MiB */
  memoryLimitBytes?: number;
  /** QuickJS stack limit (deep recursion fails with a runtime error). @defaultValue 512 KiB */
  maxStackBytes?: number;
  /** Limit for the result's JSON and, separately, for the captured logs. @defaultValue 1 MiB */
  maxOutputBytes?: number;
  /** Stops the script promptly when aborted. */
  signal?: AbortSignal;
}

/** What a successful run produced. */
export interface RunJavaScriptResult {
  /** The returned value, as real JSON data (`undefined` becomes `null`). */
  result: unknown;
  /** Captured `console.*` lines (bounded). */
  logs: string[];
}

const DEFAULTS = {
  timeoutMs: 10_000,
  memoryLimitBytes: 64 * 1024 * 1024,
  maxStackBytes: 512 * 1024,
  maxOutputBytes: 1024 * 1024,
};
const MAX_LOG_LINES = 1_000;
/** The largest memory limit a run may ask for (the code node allows up to 512 MiB). */
const MAX_MEMORY_LIMIT_BYTES = 512 * 1024 * 1024;
/** After this much extra time without an answer, a worker is terminated. */
const HARD_KILL_GRACE_MS = 2_000;
const ABORT_GRACE_MS = 500;

/**
 * Runs `code` as the body of a function that sees `input` (and `trigger`, `node_outputs`, `loop`
 * taken from it) and can `return` any JSON value; `console.log` output is captured.
 *
 * @param code - Function body, e.g. `return input.x + 1`.
 * @param input - JSON-serialisable data, typically `{ trigger, node_outputs, loop }`.
 * @throws CodeExecutionError with `kind` timeout | memory | output_too_large | aborted | runtime |
 *   not_serialisable.
 */
export function runJavaScript(
  code: string,
  input: unknown,
  options: RunJavaScriptOptions = {},
): Promise<RunJavaScriptResult> {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(new CodeExecutionError('aborted', 'The code was cancelled'));
  let inputJson: string;
  try {
    inputJson = JSON.stringify(input ?? null) ?? 'null';
  } catch (error) {
    return Promise.reject(
      new CodeExecutionError(
        'not_serialisable',
        `The input is not JSON-serialisable: ${(error as Error).message}`,
      ),
    );
  }
  return new Promise((resolve, reject) => {
    const job: Job = {
      message: {
        code,
        inputJson,
        timeoutMs: options.timeoutMs ?? DEFAULTS.timeoutMs,
        memoryLimitBytes: Math.min(
          MAX_MEMORY_LIMIT_BYTES,
          options.memoryLimitBytes ?? DEFAULTS.memoryLimitBytes,
        ),
        maxStackBytes: options.maxStackBytes ?? DEFAULTS.maxStackBytes,
        maxOutputBytes: options.maxOutputBytes ?? DEFAULTS.maxOutputBytes,
        maxLogLines: MAX_LOG_LINES,
      },
      signal,
      resolve,
      reject,
    };
    pool.submit(job);
  });
}

/**
 * Sets the number of sandbox worker threads (default: CPU count, at most 4). Takes effect for
 * workers started afterwards; mainly for tests and the benchmark.
 */
export function configureJavaScriptSandbox(options: { poolSize?: number }): void {
  if (options.poolSize !== undefined) pool.size = Math.max(1, Math.floor(options.poolSize));
}

/** Terminates all sandbox workers (graceful shutdown); new runs start new ones. */
export async function closeJavaScriptSandbox(): Promise<void> {
  await pool.close();
}

// ---------------------------------------------------------------------------------------------

interface JobMessage {
  code: string;
  inputJson: string;
  timeoutMs: number;
  memoryLimitBytes: number;
  maxStackBytes: number;
  maxOutputBytes: number;
  maxLogLines: number;
}

interface Job {
  message: JobMessage;
  signal?: AbortSignal;
  resolve: (value: RunJavaScriptResult) => void;
  reject: (error: CodeExecutionError) => void;
  onAbort?: () => void;
}

type Reply =
  | { ok: true; json: string; logs: string[] }
  | { ok: false; kind: CodeExecutionErrorKind; message: string; logs: string[] };

const WORKER_SOURCE = `(${quickjsWorkerMain.toString()})()`;
const QUICKJS_PATH = createRequire(import.meta.url).resolve('quickjs-emscripten');

/** Starts one sandbox thread; `abortFlag` is the shared flag its interrupt handler reads. */
export function startSandboxThread(abortFlag: Int32Array): Worker {
  return new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      quickjsPath: QUICKJS_PATH,
      abortBuffer: abortFlag.buffer,
      maxMemoryLimitBytes: MAX_MEMORY_LIMIT_BYTES,
    },
    env: {},
    stdout: false,
    stderr: false,
  });
}

/** Sandbox threads run at once unless configured: one per core, at most four. */
export const DEFAULT_POOL_SIZE = Math.max(1, Math.min(4, availableParallelism()));

class SandboxWorker {
  readonly worker: Worker;
  readonly abortFlag = new Int32Array(new SharedArrayBuffer(4));
  job: Job | undefined;
  private timers: NodeJS.Timeout[] = [];

  constructor(private readonly onDone: (worker: SandboxWorker, crashed: boolean) => void) {
    this.worker = startSandboxThread(this.abortFlag);
    this.worker.unref();
    this.worker.on('message', (reply: Reply) => this.settle(reply));
    this.worker.on('error', (error) =>
      this.fail(new CodeExecutionError('runtime', `Sandbox worker failed: ${error.message}`)),
    );
    this.worker.on('exit', () => this.fail(new CodeExecutionError('runtime', 'Sandbox worker exited'), true));
  }

  start(job: Job): void {
    this.job = job;
    Atomics.store(this.abortFlag, 0, 0);
    this.worker.ref();
    const { timeoutMs } = job.message;
    this.timers.push(
      setTimeout(
        () => this.kill(new CodeExecutionError('timeout', `The code ran longer than ${timeoutMs} ms`)),
        timeoutMs + HARD_KILL_GRACE_MS,
      ),
    );
    if (job.signal) {
      job.onAbort = () => {
        Atomics.store(this.abortFlag, 0, 1);
        this.timers.push(
          setTimeout(
            () => this.kill(new CodeExecutionError('aborted', 'The code was cancelled')),
            ABORT_GRACE_MS,
          ),
        );
      };
      job.signal.addEventListener('abort', job.onAbort, { once: true });
    }
    this.worker.postMessage(job.message);
  }

  private settle(reply: Reply): void {
    const job = this.finish();
    if (!job) return;
    if (reply.ok) {
      try {
        job.resolve({ result: JSON.parse(reply.json), logs: reply.logs });
      } catch (error) {
        job.reject(new CodeExecutionError('not_serialisable', (error as Error).message, reply.logs));
      }
    } else {
      const message =
        reply.kind === 'timeout' ? `The code ran longer than ${job.message.timeoutMs} ms` : reply.message;
      job.reject(new CodeExecutionError(reply.kind, message, reply.logs));
    }
    this.onDone(this, false);
  }

  private fail(error: CodeExecutionError, exited = false): void {
    const job = this.finish();
    job?.reject(error);
    if (exited || job) this.onDone(this, true);
  }

  /** Terminates a worker that did not stop on its own. */
  kill(error: CodeExecutionError): void {
    const job = this.finish();
    job?.reject(error);
    void this.worker.terminate();
    this.onDone(this, true);
  }

  private finish(): Job | undefined {
    const job = this.job;
    this.job = undefined;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers = [];
    if (job?.onAbort) job.signal?.removeEventListener('abort', job.onAbort);
    this.worker.unref();
    return job;
  }
}

class SandboxPool {
  size = DEFAULT_POOL_SIZE;
  private readonly idle: SandboxWorker[] = [];
  private readonly all = new Set<SandboxWorker>();
  private readonly queue: Job[] = [];

  submit(job: Job): void {
    if (job.signal) {
      const onQueuedAbort = () => {
        const index = this.queue.indexOf(job);
        if (index !== -1) {
          this.queue.splice(index, 1);
          job.reject(new CodeExecutionError('aborted', 'The code was cancelled'));
        }
      };
      job.signal.addEventListener('abort', onQueuedAbort, { once: true });
      const original = job.resolve;
      job.resolve = (value) => {
        job.signal?.removeEventListener('abort', onQueuedAbort);
        original(value);
      };
      const originalReject = job.reject;
      job.reject = (error) => {
        job.signal?.removeEventListener('abort', onQueuedAbort);
        originalReject(error);
      };
    }
    this.queue.push(job);
    this.dispatch();
  }

  async close(): Promise<void> {
    const workers = [...this.all];
    this.all.clear();
    this.idle.length = 0;
    await Promise.all(workers.map((w) => w.worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let worker = this.idle.pop();
      if (!worker && this.all.size < this.size) worker = this.spawn();
      if (!worker) return;
      worker.start(this.queue.shift()!);
    }
  }

  private spawn(): SandboxWorker {
    const worker = new SandboxWorker((done, crashed) => {
      if (crashed) {
        this.all.delete(done);
        const index = this.idle.indexOf(done);
        if (index !== -1) this.idle.splice(index, 1);
      } else if (this.all.has(done)) {
        this.idle.push(done);
      }
      this.dispatch();
    });
    this.all.add(worker);
    return worker;
  }
}

const pool = new SandboxPool();
