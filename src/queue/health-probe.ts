/**
 * `/health` in distributed mode: `redis` (true when Redis answers a PING within a second) and
 * `queue` (depth per state and live workers). Slow or failed answers count as down, so the endpoint
 * never hangs while Redis is away and says `degraded` instead.
 */
import type { FastifyInstance } from 'fastify';
import type { HealthProbe } from '../api/health/routes.js';
import { BullmqQueue } from './bullmq-queue.js';
import { listWorkers } from './worker-registry.js';

const PROBE_TIMEOUT_MS = 1000;

function withTimeout<T>(p: Promise<T>): Promise<T> {
  return Promise.race([
    p,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), PROBE_TIMEOUT_MS).unref()),
  ]);
}

export async function queueHealthProbes(app: FastifyInstance): Promise<void> {
  const queue = app.services.queue;
  if (!(queue instanceof BullmqQueue)) return;
  // The health route expects `redis` to be exactly `true` when up (its probes map merges by name).
  const redisProbe = (async () => {
    try {
      return (await withTimeout(queue.redis.ping())) === 'PONG';
    } catch {
      return false;
    }
  }) as unknown as HealthProbe;
  app.healthProbes.set('redis', redisProbe);
  app.healthProbes.set('queue', async () => {
    const [stats, workers] = await withTimeout(
      Promise.all([queue.stats(), listWorkers(queue.redis, queue.prefix)]),
    );
    return {
      name: queue.name,
      ...stats,
      workers_live: workers.filter((w) => w.live && w.queue === queue.name).length,
    };
  });
}
