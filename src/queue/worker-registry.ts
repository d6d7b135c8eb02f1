/**
 * Worker heartbeats in Redis, for `pipelit queue info` and `/health`: each consuming process writes
 * `{id, role, host, pid, queue, concurrency, scheduler, started_at}` into a hash and its last
 * heartbeat time into a sorted set, every few seconds. A worker is "live" while its heartbeat is
 * younger than `LIVE_AFTER_MS`; entries older than an hour are pruned by whoever reads.
 */
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';

export const HEARTBEAT_EVERY_MS = 3_000;
export const LIVE_AFTER_MS = 15_000;
const PRUNE_AFTER_MS = 3600_000;

export interface WorkerInfo {
  id: string;
  /** Log role, e.g. `Worker-1234` or `Server`. */
  role: string;
  queue: string;
  concurrency: number;
  scheduler?: boolean;
  host?: string;
  pid?: number;
  started_at?: string;
}

export interface SeenWorker extends WorkerInfo {
  last_heartbeat: string;
  live: boolean;
}

const setKey = (prefix: string) => `${prefix}:workers`;
const infoKey = (prefix: string) => `${prefix}:workers:info`;

/** Starts heartbeating; the returned function stops and removes this worker's entry. */
export function startWorkerHeartbeat(redis: Redis, prefix: string, info: WorkerInfo): () => Promise<void> {
  const full: WorkerInfo = {
    host: hostname(),
    pid: process.pid,
    started_at: new Date().toISOString(),
    ...info,
  };
  const beat = async () => {
    await redis
      .multi()
      .hset(infoKey(prefix), full.id, JSON.stringify(full))
      .zadd(setKey(prefix), Date.now(), full.id)
      .exec();
  };
  void beat().catch(() => {});
  const timer = setInterval(() => void beat().catch(() => {}), HEARTBEAT_EVERY_MS);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await redis.multi().zrem(setKey(prefix), full.id).hdel(infoKey(prefix), full.id).exec();
  };
}

/** Every worker seen within the last hour, live ones first. */
export async function listWorkers(redis: Redis, prefix: string): Promise<SeenWorker[]> {
  const now = Date.now();
  const stale = await redis.zrangebyscore(setKey(prefix), 0, now - PRUNE_AFTER_MS);
  if (stale.length) {
    await redis
      .multi()
      .zrem(setKey(prefix), ...stale)
      .hdel(infoKey(prefix), ...stale)
      .exec();
  }
  const entries = await redis.zrange(setKey(prefix), 0, -1, 'WITHSCORES');
  const out: SeenWorker[] = [];
  for (let i = 0; i < entries.length; i += 2) {
    const id = entries[i];
    const at = Number(entries[i + 1]);
    const text = await redis.hget(infoKey(prefix), id);
    let info: WorkerInfo = { id, role: '?', queue: '?', concurrency: 0 };
    try {
      if (text) info = JSON.parse(text) as WorkerInfo;
    } catch {}
    out.push({ ...info, last_heartbeat: new Date(at).toISOString(), live: now - at < LIVE_AFTER_MS });
  }
  return out.sort(
    (a, b) => Number(b.live) - Number(a.live) || b.last_heartbeat.localeCompare(a.last_heartbeat),
  );
}
