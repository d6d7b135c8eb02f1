/**
 * Moves SQLite's WAL checkpoints off the event loop.
 *
 * By default the connection that commits the write crossing `wal_autocheckpoint` (1,000 pages)
 * copies the whole WAL back into the database file, fsync included — on the event loop, so every
 * few hundred executions one request stalls for milliseconds. Here a worker thread with its own
 * connection runs a PASSIVE checkpoint (never blocks readers or writers) every CHECKPOINT_EVERY_MS.
 * The main connection keeps an automatic checkpoint at a higher threshold as a backstop, so the WAL
 * stays bounded should the worker stop or fall behind.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const CHECKPOINT_EVERY_MS = 100;
/** The main connection's own threshold while the worker runs (pages of the page size, 4 KiB). */
export const BACKSTOP_AUTOCHECKPOINT_PAGES = 10_000;

/** Body of the worker thread; started from its source text, so it must be self-contained. */
function checkpointWorkerMain(): void {
  const { parentPort, workerData } = require('node:worker_threads');
  const Database = require(workerData.driverPath);
  const db = new Database(workerData.file);
  db.pragma('busy_timeout = 1000');
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    try {
      db.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // Busy or a transient I/O error: the next tick tries again; the backstop covers the rest.
    }
    setTimeout(tick, workerData.everyMs);
  };
  parentPort.on('message', () => {
    stopped = true;
    db.close();
    parentPort.close();
  });
  tick();
}

const WORKER_SOURCE = `(${checkpointWorkerMain.toString()})()`;
const DRIVER_PATH = createRequire(import.meta.url).resolve('better-sqlite3');

export interface WalCheckpointer {
  stop(): Promise<void>;
}

/** Starts checkpointing `file` (a SQLite database in WAL mode) from a worker thread. */
export function startWalCheckpointer(file: string): WalCheckpointer {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { file, driverPath: DRIVER_PATH, everyMs: CHECKPOINT_EVERY_MS },
    env: {},
    stdout: false,
    stderr: false,
  });
  // A checkpointer that fails (the file became unreadable, say) leaves the backstop in charge.
  worker.on('error', () => {});
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    async stop() {
      worker.postMessage('stop');
      const timer = setTimeout(() => void worker.terminate(), 2_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
