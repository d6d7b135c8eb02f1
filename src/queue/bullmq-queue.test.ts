import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { redisUrl } from '../../test/helpers/test-database.js';
import { BullmqQueue } from './bullmq-queue.js';
import { jobQueueContract } from './job-queue.contract.js';

const noRedis = () => (redisUrl() ? '' : 'no Redis reachable for this test run (see the global setup line)');
const randomName = () => `test-${randomBytes(6).toString('hex')}`;

// Each queue gets a random name, so runs can share one Redis; it is deleted when closed.
jobQueueContract(
  'BullmqQueue',
  async () => {
    const q = new BullmqQueue({
      url: redisUrl(),
      name: randomName(),
      lockDurationMs: 2000,
      stalledIntervalMs: 1000,
    });
    const close = q.close.bind(q);
    q.close = async (force?: boolean) => {
      await q.obliterate().catch(() => {});
      await close(force);
    };
    return q;
  },
  noRedis,
);

describe('BullmqQueue across processes', () => {
  it('a job whose worker died (stalled) is picked up again by another worker within seconds', async (ctx) => {
    if (noRedis()) {
      console.log(`[BullmqQueue] skipped: ${noRedis()}`);
      ctx.skip();
    }
    const name = randomName();
    const opts = { url: redisUrl(), name, lockDurationMs: 1500, stalledIntervalMs: 500 };
    const a = new BullmqQueue(opts);
    const b = new BullmqQueue(opts);
    try {
      let aStarted = false;
      a.consume(async () => {
        aStarted = true;
        await new Promise(() => {}); // hangs like a killed process
      });
      await a.enqueue({ executionId: 'stalled-1' });
      while (!aStarted) await new Promise((r) => setTimeout(r, 10));
      // Simulate SIGKILL: drop worker A's connections so it can no longer renew its lock.
      (a as unknown as { workerConnection: Redis }).workerConnection.disconnect(false);
      (a as unknown as { worker: { close(f: boolean): Promise<void> } }).worker.close(true).catch(() => {});
      a.redis.disconnect(false);
      const started = Date.now();
      let bRan = '';
      b.consume(async (job) => {
        bRan = job.executionId;
      });
      while (!bRan && Date.now() - started < 15_000) await new Promise((r) => setTimeout(r, 50));
      expect(bRan).toBe('stalled-1');
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await b.obliterate().catch(() => {});
      await b.close();
      await a.close(true).catch(() => {});
    }
  });

  it('publishes worker heartbeats for queue info', async (ctx) => {
    if (noRedis()) {
      console.log(`[BullmqQueue] skipped: ${noRedis()}`);
      ctx.skip();
    }
    const prefix = randomName();
    const q = new BullmqQueue({ url: redisUrl(), prefix, worker: { id: 'w-test', role: 'Worker-1' } });
    const { listWorkers } = await import('./worker-registry.js');
    try {
      q.consume(async () => {}, { concurrency: 3 });
      let seen: Awaited<ReturnType<typeof listWorkers>> = [];
      for (let i = 0; i < 50 && !seen.length; i++) {
        seen = await listWorkers(q.redis, prefix);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(seen[0]).toMatchObject({
        id: 'w-test',
        role: 'Worker-1',
        concurrency: 3,
        live: true,
        queue: 'workflows',
      });
    } finally {
      await q.obliterate().catch(() => {});
      await q.close();
      const r = new Redis(redisUrl());
      expect(await listWorkers(r, prefix)).toEqual([]);
      r.disconnect();
    }
  });
});
