/**
 * API rate limits across server processes: with REDIS_URL the counters live in Redis, so the limit
 * holds in total for every `serve --workers N` process (each process is one app built here from the
 * same settings); an unreachable Redis lets requests through (fail open) with one warning; in
 * embedded mode the counters stay per process.
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import type { Settings } from '../../src/config.js';
import type { Logger } from '../../src/logger.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { redisUrl } from '../helpers/test-database.js';

const LIMIT_3 = { RATE_LIMIT_PER_MINUTE: '3', RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '3' };

/** Another "server process": a separate app on the same database with these settings. */
function serverApp(t: TestApp, settings: Partial<Settings>, log?: Logger): Promise<FastifyInstance> {
  return buildApp(
    { ...t.services, settings: { ...t.services.settings, ...settings }, log: log ?? t.services.log },
    { serveSpa: false },
  );
}

const health = (app: FastifyInstance, remoteAddress: string) =>
  app.inject({ method: 'GET', url: '/health', headers: { host: '127.0.0.1' }, remoteAddress });

/** A logger that keeps its warn-and-above lines in `lines`. */
function capturingLogger(): { log: Logger; lines: Array<{ msg: string }> } {
  const lines: Array<{ msg: string }> = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { log: pino({ level: 'warn' }, sink), lines };
}

describe('rate limits shared through Redis (distributed mode)', () => {
  let t: TestApp | undefined;
  const apps: FastifyInstance[] = [];
  // A fresh namespace per run, so a rerun within the minute does not find old counters.
  const prefix = `test-rate-limit-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    if (!redisUrl()) return;
    t = await createTestApp('sqlite', LIMIT_3);
    for (let i = 0; i < 2; i++) apps.push(await serverApp(t, { redisUrl: redisUrl(), queuePrefix: prefix }));
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    if (t) {
      const redis = new Redis(redisUrl());
      const keys = await redis.keys(`${prefix}*`); // this run's and the "other deployment"'s
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
      await t.close();
    }
  });

  const skipped = (ctx: { skip: () => void }) => {
    if (t) return false;
    console.log('[rate-limit] Redis part skipped: no Redis reachable for this test run');
    ctx.skip();
    return true;
  };

  it('counts requests to two server processes together: 429 {"detail"} after the limit in total', async (ctx) => {
    if (skipped(ctx)) return;
    const [a, b] = apps;
    // Per address: 3 requests spread over both processes, then both refuse.
    expect((await health(a, '127.0.3.1')).statusCode).toBe(200);
    expect((await health(b, '127.0.3.1')).statusCode).toBe(200);
    expect((await health(a, '127.0.3.1')).statusCode).toBe(200);
    const limited = await health(b, '127.0.3.1');
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toEqual({ detail: expect.stringMatching(/^Rate limit exceeded/) });
    expect(limited.headers['retry-after']).toBeDefined();
    expect((await health(a, '127.0.3.1')).statusCode).toBe(429);
    expect((await health(a, '127.0.3.2')).statusCode).toBe(200); // another address is counted apart

    // Per API key, the same.
    const me = (app: FastifyInstance) =>
      app.inject({
        method: 'GET',
        url: '/api/v1/auth/me/',
        remoteAddress: '127.0.3.3',
        headers: { host: '127.0.0.1', authorization: `Bearer ${t?.admin.key}` },
      });
    for (const app of [b, a, b]) expect((await me(app)).statusCode).toBe(200);
    expect((await me(a)).statusCode).toBe(429);
  });

  it('keeps the counters under the queue prefix, apart from another deployment on the same Redis', async (ctx) => {
    if (skipped(ctx)) return;
    const redis = new Redis(redisUrl());
    try {
      expect(await redis.get(`${prefix}:rate-limit:ip:127.0.3.1`)).toBe('5');
    } finally {
      redis.disconnect();
    }
    // A deployment with another PIPELIT_QUEUE_PREFIX does not see this one's counters.
    const other = await serverApp(t as TestApp, { redisUrl: redisUrl(), queuePrefix: `${prefix}-other` });
    apps.push(other);
    expect((await health(apps[0], '127.0.3.1')).statusCode).toBe(429);
    expect((await health(other, '127.0.3.1')).statusCode).toBe(200);
  });
});

describe('rate limits when Redis is unreachable', () => {
  let t: TestApp;
  let app: FastifyInstance;
  const captured = capturingLogger();

  beforeAll(async () => {
    t = await createTestApp('sqlite', LIMIT_3);
    // Port 1: connection refused, as in an outage.
    app = await serverApp(t, { redisUrl: 'redis://127.0.0.1:1' }, captured.log);
  });
  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  it('answers every request without a limit (fail open) and warns once, not per request', async () => {
    for (let i = 0; i < 6; i++) expect((await health(app, '127.0.4.1')).statusCode).toBe(200);
    const warnings = captured.lines.filter((l) => /Redis unavailable/.test(l.msg));
    expect(warnings).toHaveLength(1);
  });
});

describe('rate limits in embedded mode (no REDIS_URL)', () => {
  let t: TestApp;
  let other: FastifyInstance;

  beforeAll(async () => {
    t = await createTestApp('sqlite', LIMIT_3);
    other = await serverApp(t, {});
  });
  afterAll(async () => {
    await other?.close();
    await t?.close();
  });

  it('counts per process, as before', async () => {
    for (let i = 0; i < 3; i++) expect((await health(t.app, '127.0.5.1')).statusCode).toBe(200);
    expect((await health(t.app, '127.0.5.1')).statusCode).toBe(429);
    expect((await health(other, '127.0.5.1')).statusCode).toBe(200);
  });
});
