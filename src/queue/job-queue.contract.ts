/**
 * The behaviour every JobQueue implementation must show, as a reusable vitest suite (run against the
 * in-process queue and BullMQ with a random queue name).
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { ExecutionJob, JobQueue } from './job-queue.js';

export type MakeQueue = () => Promise<JobQueue>;

async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function jobQueueContract(name: string, makeQueue: MakeQueue, skipReason?: () => string): void {
  describe(`JobQueue contract: ${name}`, () => {
    const opened: JobQueue[] = [];
    const id = (suffix: string) => `${randomBytes(4).toString('hex')}-${suffix}`;
    const open = async () => {
      const q = await makeQueue();
      opened.push(q);
      return q;
    };
    afterEach(async () => {
      for (const q of opened.splice(0)) await q.close();
    });
    const test = (title: string, body: () => Promise<void>) =>
      it(title, async (ctx) => {
        const reason = skipReason?.();
        if (reason) {
          console.log(`[${name}] skipped: ${reason}`);
          ctx.skip();
        }
        await body();
      });

    test('runs every enqueued job once, with its execution id', async () => {
      const q = await open();
      const seen: string[] = [];
      q.consume(async (job: ExecutionJob) => {
        seen.push(job.executionId);
      });
      const ids = [id('a'), id('b'), id('c')];
      for (const x of ids) await q.enqueue({ executionId: x });
      await until(() => seen.length === 3, 'three jobs');
      await sleep(100);
      expect(seen.sort()).toEqual([...ids].sort());
    });

    test('an execution already waiting in the queue is not added twice', async () => {
      const q = await open();
      const x = id('dup');
      await q.enqueue({ executionId: x });
      await q.enqueue({ executionId: x });
      await q.enqueue({ executionId: x });
      expect((await q.stats()).pending).toBe(1);
      const seen: string[] = [];
      q.consume(async (job) => {
        seen.push(job.executionId);
      });
      await until(() => seen.length === 1, 'the job');
      await sleep(200);
      expect(seen).toEqual([x]);
    });

    test('a job enqueued while the same execution runs still runs afterwards (no lost wake-up)', async () => {
      const q = await open();
      const x = id('wake');
      let runs = 0;
      let release!: () => void;
      const gate = new Promise<void>((r) => {
        release = r;
      });
      q.consume(async () => {
        runs += 1;
        if (runs === 1) await gate;
      });
      await q.enqueue({ executionId: x });
      await until(() => runs === 1, 'first run');
      await q.enqueue({ executionId: x });
      release();
      await until(() => runs === 2, 'the second run');
    });

    test('a delayed job runs no earlier than its delay', async () => {
      const q = await open();
      const x = id('later');
      let ranAt = 0;
      q.consume(async () => {
        ranAt = Date.now();
      });
      const start = Date.now();
      await q.enqueue({ executionId: x }, { delayMs: 400 });
      expect((await q.stats()).delayed).toBe(1);
      await until(() => ranAt > 0, 'the delayed job');
      expect(ranAt - start).toBeGreaterThanOrEqual(380);
    });

    test('runs at most `concurrency` jobs at a time', async () => {
      const q = await open();
      let active = 0;
      let peak = 0;
      let done = 0;
      q.consume(
        async () => {
          active += 1;
          peak = Math.max(peak, active);
          await sleep(50);
          active -= 1;
          done += 1;
        },
        { concurrency: 2 },
      );
      for (let i = 0; i < 6; i++) await q.enqueue({ executionId: id(`c${i}`) });
      await until(() => done === 6, 'six jobs');
      expect(peak).toBe(2);
    });

    test('counts failed jobs and keeps going', async () => {
      const q = await open();
      let ok = 0;
      q.consume(async (job) => {
        if (job.executionId.endsWith('bad')) throw new Error('boom');
        ok += 1;
      });
      await q.enqueue({ executionId: id('bad') });
      await q.enqueue({ executionId: id('good') });
      await until(() => ok === 1, 'the good job');
      await until(() => false, 'nothing', 300).catch(() => {});
      expect((await q.stats()).failed).toBe(1);
    });

    test('close waits for running jobs', async () => {
      const q = await makeQueue();
      let finished = false;
      let started = false;
      q.consume(async () => {
        started = true;
        await sleep(200);
        finished = true;
      });
      await q.enqueue({ executionId: id('slow') });
      await until(() => started, 'the job to start');
      await q.close();
      expect(finished).toBe(true);
    });
  });
}
