/**
 * `pipelit queue info [--json]`: pending / active / delayed / failed counts of the `workflows`
 * queue and the workers seen in the last hour with their last heartbeat (the `rq info` of the
 * reference). Needs REDIS_URL (embedded mode has no shared queue to inspect).
 */
import { loadSettings } from '../config.js';
import { BullmqQueue } from '../queue/bullmq-queue.js';
import { pingRedis, redactRedisUrl } from '../queue/redis-ping.js';
import { listWorkers } from '../queue/worker-registry.js';
import { UsageError } from './fail.js';

export async function queueInfoCommand(raw: { json?: boolean }): Promise<void> {
  const settings = loadSettings();
  if (!settings.redisUrl) {
    throw new UsageError(
      'REDIS_URL is not set: queue info needs distributed mode (embedded mode has no shared queue).',
    );
  }
  try {
    await pingRedis(settings.redisUrl);
  } catch (err) {
    throw new UsageError(
      `Redis is not reachable at ${redactRedisUrl(settings.redisUrl)}: ${(err as Error).message}`,
    );
  }
  const queue = new BullmqQueue({ url: settings.redisUrl, prefix: settings.queuePrefix });
  try {
    const stats = await queue.stats();
    const workers = await listWorkers(queue.redis, queue.prefix);
    if (raw.json) {
      process.stdout.write(`${JSON.stringify({ queues: { [queue.name]: stats }, workers }, null, 2)}\n`);
      return;
    }
    const lines = [
      `queue ${queue.name}: pending ${stats.pending}, active ${stats.active}, delayed ${stats.delayed}, failed ${stats.failed}`,
      `workers: ${workers.filter((w) => w.live).length} live, ${workers.length} seen in the last hour`,
    ];
    for (const w of workers) {
      const age = Math.round((Date.now() - Date.parse(w.last_heartbeat)) / 1000);
      lines.push(
        `  ${w.live ? 'live' : 'gone'}  ${w.role} ${w.host ?? '?'} pid ${w.pid ?? '?'}  concurrency ${w.concurrency}${w.scheduler ? '  scheduler' : ''}  last heartbeat ${age}s ago`,
      );
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await queue.close();
  }
}
