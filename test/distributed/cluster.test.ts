/**
 * Distributed mode end to end, with real processes: `pipelit serve --workers 4` and two
 * `pipelit worker workflows` on PostgreSQL + Redis (random database and queue prefix). All processes
 * reach Redis through a TCP proxy the test can cut.
 * 1. 500 webhook executions complete; a WebSocket client on ONE server process receives every node
 *    event of every execution, and both workers ran some of them.
 * 2. SIGKILL of a worker mid-run: every execution still ends, none stays running, finished nodes
 *    never run again.
 * 3. Redis connections cut mid-run: everything recovers by itself.
 * Needs `npm run build` (dist/) first, like the other process tests.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueApiKey } from '../../src/auth/issue-api-key.js';
import { openDatabase } from '../../src/db/database.js';
import type { Database } from '../../src/db/schema.js';
import {
  freePort,
  ROOT,
  type Running,
  runPipelit,
  startPipelit,
  TEST_SECRETS,
  waitForHealth,
} from '../helpers/processes.js';
import { seedWorkflow } from '../helpers/seed-workflow.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { createTestDatabase, postgresUrl, redisUrl, type TestDatabase } from '../helpers/test-database.js';
import { connectWs, type TestSocket } from '../helpers/ws-client.js';

const reason = () => {
  if (!postgresUrl()) return 'no PostgreSQL reachable for this test run';
  if (!redisUrl()) return 'no Redis reachable for this test run';
  if (!existsSync(join(ROOT, 'dist', 'cli', 'worker.js'))) return 'dist/ is not built (run `npm run build`)';
  return '';
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('distributed mode: serve --workers 4 + two workers', () => {
  let database: TestDatabase;
  let db: Kysely<Database> & { destroy?: () => Promise<void> };
  let closeDb: () => Promise<void>;
  let proxy: TcpProxy;
  let env: Record<string, string>;
  let server: Running;
  const workers: Running[] = [];
  let port = 0;
  let key = '';
  const slug = `dist-${randomBytes(4).toString('hex')}`;
  /** lease owner (host:pid:rand) seen for each execution while it ran. */
  const owners = new Map<string, Set<string>>();
  let sampling = true;
  let sampler: Promise<void> = Promise.resolve();

  beforeAll(async () => {
    if (reason()) return;
    database = await createTestDatabase('postgres');
    const redis = new URL(redisUrl());
    proxy = await startTcpProxy(redis.hostname, Number(redis.port || 6379));
    env = {
      ...TEST_SECRETS,
      DATABASE_URL: database.url,
      REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
      PIPELIT_QUEUE_PREFIX: `test-${randomBytes(5).toString('hex')}`,
      PIPELIT_DIR: database.dir,
      RATE_LIMIT_PER_MINUTE: '0',
      RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '0',
      ZOMBIE_EXECUTION_THRESHOLD_SECONDS: '8',
      LOG_LEVEL: 'warn',
    };
    expect(runPipelit(['migrate'], { cwd: database.dir, env }).status).toBe(0);
    const setup = runPipelit(['setup', '--username', 'admin', '--password', 'admin-password'], {
      cwd: database.dir,
      env,
    });
    expect(setup.status, setup.stderr).toBe(0);
    const opened = openDatabase({ kind: 'postgres', url: database.url });
    db = opened.db;
    closeDb = () => opened.close();
    const admin = await db
      .selectFrom('users')
      .select('id')
      .where('username', '=', 'admin')
      .executeTakeFirstOrThrow();
    key = (await issueApiKey(db, admin.id, 'dist-test')).key;
    await seedWorkflow(db, admin.id, {
      slug,
      nodes: [
        { id: 'hook', type: 'trigger_webhook' },
        { id: 'calc', type: 'code', extra: { code: 'return { doubled: trigger.payload.n * 2 };' } },
        { id: 'answer', type: 'reply_chat', extra: { message: 'n={{ calc.output.doubled }}' } },
      ],
      edges: [
        { from: 'hook', to: 'calc' },
        { from: 'calc', to: 'answer' },
      ],
    });
    port = await freePort();
    server = startPipelit(['serve', '--workers', '4', '--bind', `127.0.0.1:${port}`], {
      cwd: database.dir,
      env,
    });
    for (let i = 0; i < 2; i++) {
      workers.push(startPipelit(['worker', 'workflows', '--concurrency', '10'], { cwd: database.dir, env }));
    }
    await waitForHealth(port, server, 60_000);
    sampler = (async () => {
      while (sampling) {
        const rows = await db
          .selectFrom('executions')
          .select(['execution_id', 'lease_owner'])
          .where('lease_owner', 'is not', null)
          .execute()
          .catch(() => []);
        for (const r of rows) {
          let set = owners.get(r.execution_id);
          if (!set) {
            set = new Set();
            owners.set(r.execution_id, set);
          }
          set.add(r.lease_owner!);
        }
        await sleep(15);
      }
    })();
  }, 120_000);

  afterAll(async () => {
    sampling = false;
    await sampler;
    for (const p of [server, ...workers]) p?.child.kill('SIGTERM');
    await Promise.all([server, ...workers].map((p) => p && Promise.race([p.exited, sleep(15_000)])));
    for (const p of [server, ...workers]) if (p && p.child.exitCode === null) p.child.kill('SIGKILL');
    await closeDb?.();
    await proxy?.close();
    await database?.drop();
  }, 60_000);

  const guard = (ctx: { skip: () => void }) => {
    if (reason()) {
      console.log(`[distributed] skipped: ${reason()}`);
      ctx.skip();
    }
  };

  async function fire(count: number, from: number, onProgress?: (sent: number) => Promise<void>) {
    const ids: string[] = [];
    let next = 0;
    const one = async () => {
      while (next < count) {
        const i = next++;
        const res = await fetch(`http://127.0.0.1:${port}/api/v1/webhooks/${slug}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ n: from + i }),
        });
        const body = (await res.json()) as { execution_id: string };
        expect(res.status, JSON.stringify(body)).toBe(202);
        ids.push(body.execution_id);
        await onProgress?.(ids.length);
      }
    };
    await Promise.all(Array.from({ length: 16 }, one));
    return ids;
  }

  async function waitAllEnded(ids: string[], timeoutMs: number) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rows = await db
        .selectFrom('executions')
        .select(['execution_id', 'status'])
        .where('execution_id', 'in', ids)
        .execute();
      const open = rows.filter((r) => !['completed', 'failed', 'cancelled'].includes(r.status));
      if (rows.length === ids.length && open.length === 0) return rows;
      if (Date.now() > deadline) {
        throw new Error(
          `${open.length} of ${ids.length} executions still open: ${JSON.stringify(open.slice(0, 5))}`,
        );
      }
      await sleep(250);
    }
  }

  const pidOf = (owner: string) => Number(owner.split(':')[1]);

  let ws: TestSocket;

  it('runs 500 webhook executions on both workers; one socket sees every node event', async (ctx) => {
    guard(ctx);
    ws = connectWs(`ws://127.0.0.1:${port}/ws/?token=${key}`);
    expect((await ws.subscribe(`workflow:${slug}`)).type).toBe('subscribed');
    const ids = await fire(500, 0);
    const rows = await waitAllEnded(ids, 120_000);
    expect(rows.filter((r) => r.status === 'completed')).toHaveLength(500);
    // Every execution: started, calc running+success, answer running+success, completed — on the workflow channel.
    const deadline = Date.now() + 15_000;
    const missing = () =>
      ids.filter((id) => {
        const mine = ws.messages.filter((m) => m.execution_id === id);
        const nodes = mine
          .filter((m) => m.type === 'node_status')
          .map((m) => `${(m.data as any).node_id}:${(m.data as any).status}`);
        return !(
          mine.some((m) => m.type === 'execution_started') &&
          mine.some((m) => m.type === 'execution_completed') &&
          ['calc:running', 'calc:success', 'answer:running', 'answer:success'].every((s) => nodes.includes(s))
        );
      });
    while (missing().length && Date.now() < deadline) await sleep(100);
    expect(missing()).toEqual([]);
    for (const m of ws.messages.filter((x) => x.execution_id)) expect(m.channel).toBe(`workflow:${slug}`);
    // Both workers ran some of them (lease owners sampled while they ran).
    const workerPids = new Set(workers.map((w) => w.child.pid));
    const byPid = new Map<number, number>();
    for (const id of ids)
      for (const o of owners.get(id) ?? []) byPid.set(pidOf(o), (byPid.get(pidOf(o)) ?? 0) + 1);
    for (const pid of workerPids) expect(byPid.get(pid!) ?? 0, JSON.stringify([...byPid])).toBeGreaterThan(0);
    // And the socket saw events of executions held by each worker.
    for (const pid of workerPids) {
      const ran = ids.filter((id) => [...(owners.get(id) ?? [])].some((o) => pidOf(o) === pid));
      expect(ran.length).toBeGreaterThan(0);
      expect(ws.messages.some((m) => m.execution_id === ran[0] && m.type === 'execution_completed')).toBe(
        true,
      );
    }
    // Operations: health reports the queue and two live workers.
    const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as any;
    expect(health).toMatchObject({ status: 'ok', mode: 'distributed', redis: true });
    expect(health.queue.workers_live).toBe(2);
    // spawnSync blocks this process (and the proxy in it), so this one talks to Redis directly.
    const info = runPipelit(['queue', 'info'], { cwd: database.dir, env: { ...env, REDIS_URL: redisUrl() } });
    expect(info.status, info.stderr).toBe(0);
    expect(info.stdout).toMatch(/queue workflows: pending \d+, active \d+, delayed \d+, failed \d+/);
    expect(info.stdout).toMatch(/workers: 2 live/);
  }, 240_000);

  it('a cancel sent to a server process aborts the run on the worker that holds it', async (ctx) => {
    guard(ctx);
    const spin = `${slug}-spin`;
    const admin = await db
      .selectFrom('users')
      .select('id')
      .where('username', '=', 'admin')
      .executeTakeFirstOrThrow();
    await seedWorkflow(db, admin.id, {
      slug: spin,
      nodes: [
        { id: 'hook', type: 'trigger_webhook' },
        {
          id: 'busy',
          type: 'code',
          extra: {
            code: 'const end = Date.now() + 3000; while (Date.now() < end) {} return 1;',
            timeout_seconds: 20,
          },
        },
        { id: 'after', type: 'reply_chat', extra: { message: 'should not run' } },
      ],
      edges: [
        { from: 'hook', to: 'busy' },
        { from: 'busy', to: 'after' },
      ],
    });
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/webhooks/${spin}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(202);
    const { execution_id: id } = (await res.json()) as { execution_id: string };
    // Running on a worker (leased), inside the busy code node.
    for (let i = 0; i < 200; i++) {
      const row = await db
        .selectFrom('executions')
        .select(['lease_owner'])
        .where('execution_id', '=', id)
        .executeTakeFirst();
      if (row?.lease_owner) break;
      await sleep(25);
    }
    await sleep(300);
    const cancel = await fetch(`http://127.0.0.1:${port}/api/v1/executions/${id}/cancel/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}` },
    });
    expect(cancel.status).toBe(200);
    // Had the worker not heard it, the code node would finish at 3 s and `after` would run.
    await sleep(4500);
    const row = await db
      .selectFrom('executions')
      .select(['status'])
      .where('execution_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('cancelled');
    const nodes = await db
      .selectFrom('execution_nodes')
      .select(['node_id', 'status'])
      .where('execution_id', '=', id)
      .execute();
    expect(nodes.filter((n) => n.node_id === 'after')).toEqual([]);
  }, 30_000);

  it('a worker killed with SIGKILL mid-run: every execution still ends and finished nodes never re-run', async (ctx) => {
    guard(ctx);
    const victim = workers[0];
    let killed = false;
    const snapshot = new Map<string, { started_at: string | null; attempts: number }>();
    const ids = await fire(300, 10_000, async (sent) => {
      if (sent === 120 && !killed) {
        killed = true;
        victim.child.kill('SIGKILL');
        const done = await db
          .selectFrom('execution_nodes')
          .select(['execution_id', 'node_id', 'iteration', 'started_at', 'attempts'])
          .where('status', '=', 'success')
          .execute();
        for (const n of done) snapshot.set(`${n.execution_id}|${n.node_id}|${n.iteration}`, n);
      }
    });
    expect(killed).toBe(true);
    await victim.exited;
    const rows = await waitAllEnded(ids, 150_000);
    const notCompleted = await db
      .selectFrom('executions')
      .select(['status', 'error_message'])
      .where('execution_id', 'in', ids)
      .where('status', '!=', 'completed')
      .execute();
    for (const r of notCompleted) expect(r.error_message ?? '').not.toBe(''); // failed with a clear reason
    expect(rows.filter((r) => r.status === 'completed').length).toBeGreaterThan(250);
    const after = await db
      .selectFrom('execution_nodes')
      .select(['execution_id', 'node_id', 'iteration', 'started_at', 'attempts'])
      .execute();
    let checked = 0;
    for (const n of after) {
      const before = snapshot.get(`${n.execution_id}|${n.node_id}|${n.iteration}`);
      if (!before) continue;
      checked += 1;
      expect(n.started_at).toBe(before.started_at);
      expect(n.attempts).toBe(before.attempts);
    }
    expect(checked).toBeGreaterThan(0);
    expect(after.filter((n) => ids.includes(n.execution_id)).every((n) => n.attempts === 1)).toBe(true);
    const running = await db
      .selectFrom('executions')
      .select('execution_id')
      .where('status', 'in', ['running', 'pending'])
      .execute();
    expect(running).toEqual([]);
    // A replacement worker for the next part.
    workers[0] = startPipelit(['worker', 'workflows', '--concurrency', '10'], { cwd: database.dir, env });
  }, 240_000);

  it('Redis connections cut mid-run: everything recovers without manual steps', async (ctx) => {
    guard(ctx);
    let cut = false;
    const ids = await fire(200, 20_000, async (sent) => {
      if (sent === 60 && !cut) {
        cut = true;
        await proxy.cut();
        setTimeout(() => void proxy.restore(), 3000);
        const during = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as any;
        expect(during).toMatchObject({ status: 'degraded', redis: false });
      }
    });
    expect(cut).toBe(true);
    const rows = await waitAllEnded(ids, 150_000);
    expect(rows.filter((r) => r.status === 'completed')).toHaveLength(200);
    // Health is back to ok and the socket still delivers events after the outage.
    let health: any;
    for (let i = 0; i < 50; i++) {
      health = await (await fetch(`http://127.0.0.1:${port}/health`)).json();
      if (health.status === 'ok' && health.queue?.workers_live === 2) break;
      await sleep(200);
    }
    expect(health).toMatchObject({ status: 'ok', redis: true });
    const [late] = await fire(1, 30_000);
    await ws.waitFor((m) => m.execution_id === late && m.type === 'execution_completed', 20_000);
  }, 240_000);
});
