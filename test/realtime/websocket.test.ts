/**
 * The live socket: token checks (query and Sec-WebSocket-Protocol), per-channel authorization,
 * subscribe/unsubscribe, forwarding of bus events verbatim, heartbeat, reconnect + resubscribe,
 * and one bus subscription per channel shared by all sockets. Runs on the local bus and, when Redis
 * is reachable, on the Redis bus too.
 */

import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import { MeteredEventBus } from '../../src/metrics/execution-metrics.js';
import { RedisEventBus } from '../../src/realtime/redis-event-bus.js';
import { seedWorkflow } from '../helpers/seed-workflow.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { redisUrl } from '../helpers/test-database.js';
import { connectWs } from '../helpers/ws-client.js';

const buses = ['local', 'redis'] as const;

describe.each(buses)('WebSocket /ws/ on the %s bus', (busKind) => {
  let t: TestApp;
  let server: FastifyInstance;
  let base = '';
  let slug = '';
  let otherSlug = '';
  let owner: Awaited<ReturnType<TestApp['makeUser']>>;
  const skip = () => (busKind === 'redis' && !redisUrl() ? 'no Redis reachable for this test run' : '');

  beforeAll(async () => {
    if (skip()) return;
    t = await createTestApp('sqlite', busKind === 'redis' ? { REDIS_URL: redisUrl() } : {});
    if (busKind === 'redis') {
      // createTestApp opened a Redis bus already (REDIS_URL set); the queue is BullMQ but unused here.
      expect(t.services.bus).toBeInstanceOf(MeteredEventBus);
      expect((t.services.bus as MeteredEventBus).inner).toBeInstanceOf(RedisEventBus);
    }
    server = await buildApp(t.services, {
      serveSpa: false,
      websocket: { pingAfterMs: 300, pongTimeoutMs: 300, tickMs: 50, recheckKeyMs: 200 },
    });
    await server.listen({ host: '127.0.0.1', port: 0 });
    const { port } = server.server.address() as { port: number };
    base = `ws://127.0.0.1:${port}/ws/`;
    owner = await t.makeUser();
    const rnd = Math.random().toString(36).slice(2, 8);
    slug = `ws-mine-${rnd}`;
    otherSlug = `ws-theirs-${rnd}`;
    const db = t.services.database.db;
    await seedWorkflow(db, owner.id, { slug, nodes: [], edges: [] });
    await seedWorkflow(db, t.admin.id, { slug: otherSlug, nodes: [], edges: [] });
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  const guard = (ctx: { skip: () => void }) => {
    if (skip()) {
      console.log(`[websocket ${busKind}] skipped: ${skip()}`);
      ctx.skip();
    }
  };

  it('closes with 1008 "Invalid or missing token" for a bad or missing key', async (ctx) => {
    guard(ctx);
    for (const url of [base, `${base}?token=nope`]) {
      const ws = connectWs(url);
      expect(await ws.closed).toEqual({ code: 1008, reason: 'Invalid or missing token' });
    }
  });

  it('closes a connected socket once its key is revoked', async (ctx) => {
    guard(ctx);
    const user = await t.makeUser();
    const ws = connectWs(`${base}?token=${user.key}`);
    await ws.opened;
    await t.services.database.db
      .updateTable('api_keys')
      .set({ is_active: false })
      .where('user_id', '=', user.id)
      .execute();
    const closed = await ws.closed;
    expect(closed.code).toBe(1008);
  });

  it('subscribes with the token in the query, forwards events verbatim, unsubscribes', async (ctx) => {
    guard(ctx);
    const ws = connectWs(`${base}?token=${owner.key}`);
    expect(await ws.subscribe(`workflow:${slug}`)).toEqual({
      type: 'subscribed',
      channel: `workflow:${slug}`,
    });
    ws.raw('not json');
    ws.raw('');
    ws.send({ type: 'whatever' });
    const event = {
      type: 'node_status',
      channel: `workflow:${slug}`,
      timestamp: 1.5,
      data: { node_id: 'x', status: 'running' },
    };
    await t.services.bus.publish(`workflow:${slug}`, event);
    expect(await ws.waitFor((m) => m.type === 'node_status')).toEqual(event);
    ws.send({ type: 'unsubscribe', channel: `workflow:${slug}` });
    await ws.waitFor((m) => m.type === 'unsubscribed');
    await t.services.bus.publish(`workflow:${slug}`, { ...event, type: 'after_unsubscribe' });
    await new Promise((r) => setTimeout(r, 150));
    expect(ws.messages.some((m) => m.type === 'after_unsubscribe')).toBe(false);
    ws.close();
  });

  it("refuses another user's workflow and execution channels (admins may watch all)", async (ctx) => {
    guard(ctx);
    const ws = connectWs(`${base}?token=${owner.key}`);
    const refused = await ws.subscribe(`workflow:${otherSlug}`);
    expect(refused).toMatchObject({
      type: 'error',
      channel: `workflow:${otherSlug}`,
      detail: expect.any(String),
    });
    expect((await ws.subscribe('execution:00000000-0000-0000-0000-000000000000')).type).toBe('error');
    expect((await ws.subscribe('anything-else')).type).toBe('error');
    await t.services.bus.publish(`workflow:${otherSlug}`, { type: 'secret' });
    await new Promise((r) => setTimeout(r, 150));
    expect(ws.messages.some((m) => m.type === 'secret')).toBe(false);
    const admin = connectWs(`${base}?token=${t.admin.key}`);
    expect((await admin.subscribe(`workflow:${slug}`)).type).toBe('subscribed');
    ws.close();
    admin.close();
  });

  it('accepts the key in Sec-WebSocket-Protocol and selects the plain protocol', async (ctx) => {
    guard(ctx);
    const ws = connectWs(base, { protocols: ['pipelit', `pipelit.token.${owner.key}`] });
    await ws.opened;
    expect(ws.protocol()).toBe('pipelit');
    expect((await ws.subscribe(`workflow:${slug}`)).type).toBe('subscribed');
    ws.close();
    const only = connectWs(base, { protocols: [`pipelit.token.${owner.key}`] });
    await only.opened;
    expect(only.protocol()).toBe(`pipelit.token.${owner.key}`);
    only.close();
    const bad = connectWs(base, { protocols: ['pipelit', 'pipelit.token.wrong'] });
    expect((await bad.closed).code).toBe(1008);
  });

  it('pings an idle client and disconnects it when no pong comes back', async (ctx) => {
    guard(ctx);
    const lazy = connectWs(`${base}?token=${owner.key}`, { answerPings: false });
    const polite = connectWs(`${base}?token=${owner.key}`);
    await lazy.opened;
    await lazy.waitFor((m) => m.type === 'ping', 3000);
    expect((await lazy.closed).code).toBe(1001);
    await polite.waitFor((m) => m.type === 'ping', 3000);
    await new Promise((r) => setTimeout(r, 900));
    const state = await Promise.race([polite.closed.then(() => 'closed'), Promise.resolve('open')]);
    expect(state).toBe('open');
    polite.close();
  });

  it('a client that reconnects and resubscribes receives later events; sockets share one bus subscription', async (ctx) => {
    guard(ctx);
    const channel = `workflow:${slug}`;
    const before = server.wsHub.channelCount();
    const a = connectWs(`${base}?token=${owner.key}`);
    const b = connectWs(`${base}?token=${owner.key}`);
    await a.subscribe(channel);
    await b.subscribe(channel);
    expect(server.wsHub.channelCount()).toBe(before + 1);
    a.close();
    await a.closed;
    await t.services.bus.publish(channel, { type: 'while_away', n: 1 });
    await b.waitFor((m) => m.type === 'while_away');
    const again = connectWs(`${base}?token=${owner.key}`);
    await again.subscribe(channel);
    await t.services.bus.publish(channel, { type: 'later', n: 2 });
    expect(await again.waitFor((m) => m.type === 'later')).toEqual({ type: 'later', n: 2 });
    expect(again.messages.some((m) => m.type === 'while_away')).toBe(false);
    b.close();
    again.close();
    await again.closed;
    await b.closed;
    await new Promise((r) => setTimeout(r, 100));
    expect(server.wsHub.channelCount()).toBe(before);
  });
});
