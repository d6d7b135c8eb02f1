/**
 * How many executions a process runs at once: the embedded server takes 100 by default (its runs
 * mostly wait on I/O and it has no other process to spread them over), a worker 20, and
 * `--concurrency` overrides both.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openServices } from '../../src/boot.js';
import { parseServeOptions } from '../../src/cli/serve.js';
import { loadSettings } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import type { JobHandler } from '../../src/queue/job-queue.js';
import { LocalQueue } from '../../src/queue/local-queue.js';
import { DEFAULT_CONCURRENCY, startRuntime } from '../../src/runtime.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

/** A LocalQueue that remembers the concurrency it was asked to consume with. */
class RecordingQueue extends LocalQueue {
  asked: number | undefined;
  override consume(handler: JobHandler, opts: { concurrency?: number } = {}): void {
    this.asked = opts.concurrency;
    super.consume(handler, opts);
  }
}

let database: TestDatabase | undefined;
afterEach(async () => {
  await database?.drop();
  database = undefined;
});

async function concurrencyOf(role: 'server' | 'worker', concurrency?: number): Promise<number | undefined> {
  database = await createTestDatabase('sqlite');
  const settings = loadSettings(
    {
      DATABASE_URL: database.url,
      PIPELIT_DIR: database.dir,
      SECRET_KEY: 'test-secret-key-that-is-long-enough-for-production',
      FIELD_ENCRYPTION_KEY: 'x0Rb1LF2lXbC4bR6dWTc8XoXz9Xq2Yd3sN1nG2Nf8vE=',
      LOG_LEVEL: 'silent',
    },
    database.dir,
  );
  const queue = new RecordingQueue();
  const services = await openServices(settings, silentLogger(), { queue });
  const runtime = await startRuntime(services, { role, concurrency });
  await runtime.stop();
  await queue.close();
  await services.database.close();
  return queue.asked;
}

describe('execution concurrency per process', () => {
  it('is 100 for the embedded server and 20 for a worker unless set', async () => {
    expect(DEFAULT_CONCURRENCY).toEqual({ server: 100, worker: 20 });
    expect(await concurrencyOf('server')).toBe(100);
    expect(await concurrencyOf('worker')).toBe(20);
    expect(await concurrencyOf('server', 7)).toBe(7);
  });

  it('serve takes --concurrency and refuses a bad value', () => {
    expect(parseServeOptions({}).concurrency).toBe(100);
    expect(parseServeOptions({ concurrency: '250' }).concurrency).toBe(250);
    expect(() => parseServeOptions({ concurrency: '0' })).toThrow(
      /--concurrency: must be a whole number ≥ 1/,
    );
    expect(() => parseServeOptions({ concurrency: 'many' })).toThrow(/--concurrency/);
  });
});
