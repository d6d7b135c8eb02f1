/**
 * Distributed mode throughput and WebSocket fan-out latency:
 * - executions/s of a webhook → code → reply workflow run by 1 and then 2 `pipelit worker` processes
 *   (real processes from dist/, PostgreSQL + Redis, random queue prefix), next to the raw BullMQ
 *   no-op job rate measured in the same run (ratio printed);
 * - p50/p99 delay from bus publish to receipt for 1,000 WebSocket clients on one server process.
 *
 *   npm run build && npm run bench -- queue [executions]
 * Needs PostgreSQL and Redis (PIPELIT_TEST_POSTGRES_URL / PIPELIT_TEST_REDIS_URL, or the local defaults).
 */

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { buildApp } from '../src/api/app.js';
import { createFirstAdmin } from '../src/auth/create-user.js';
import { issueApiKey } from '../src/auth/issue-api-key.js';
import { openServices } from '../src/boot.js';
import { loadSettings } from '../src/config.js';
import { startExecution } from '../src/engine/start-execution.js';
import { silentLogger } from '../src/logger.js';
import { BullmqQueue } from '../src/queue/bullmq-queue.js';
import { seedWorkflow } from '../test/helpers/seed-workflow.js';

const N = Number(process.argv[2] ?? 1000);
const PG = process.env.PIPELIT_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const REDIS = process.env.PIPELIT_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const ROOT = join(import.meta.dirname, '..', '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function rawBullmqRate(count: number): Promise<number> {
  const q = new BullmqQueue({ url: REDIS, name: `bench-${randomBytes(4).toString('hex')}` });
  let done = 0;
  const start = Date.now();
  await Promise.all(Array.from({ length: count }, (_, i) => q.enqueue({ executionId: `noop-${i}` })));
  q.consume(
    async () => {
      done += 1;
    },
    { concurrency: 20 },
  );
  while (done < count) await sleep(5);
  const rate = count / ((Date.now() - start) / 1000);
  await q.obliterate();
  await q.close();
  return rate;
}

async function main() {
  const dbName = `pipelit_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  const u = new URL(PG);
  u.pathname = `/${dbName}`;
  const dir = mkdtempSync(join(tmpdir(), 'pipelit-bench-'));
  const prefix = `bench-${randomBytes(4).toString('hex')}`;
  const env = {
    PATH: process.env.PATH ?? '',
    DATABASE_URL: u.toString(),
    REDIS_URL: REDIS,
    PIPELIT_DIR: dir,
    PIPELIT_QUEUE_PREFIX: prefix,
    SECRET_KEY: 'bench-secret-key-that-is-long-enough-for-production',
    FIELD_ENCRYPTION_KEY: 'x0Rb1LF2lXbC4bR6dWTc8XoXz9Xq2Yd3sN1nG2Nf8vE=',
    LOG_LEVEL: 'warn',
  };
  const settings = loadSettings(
    { ...env, LOG_LEVEL: 'silent', RATE_LIMIT_PER_MINUTE: '0', RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '0' },
    dir,
  );
  const services = await openServices(settings, silentLogger());
  const db = services.database.db;
  const user = await createFirstAdmin(db, dir, { username: 'admin', password: 'admin-password' });
  const wf = {
    id: await seedWorkflow(db, user!.id, {
      slug: 'bench-hook',
      nodes: [
        { id: 'hook', type: 'trigger_webhook' },
        { id: 'calc', type: 'code', extra: { code: 'return { doubled: trigger.payload.n * 2 };' } },
        { id: 'answer', type: 'reply_chat', extra: { message: 'n={{ calc.output.doubled }}' } },
      ],
      edges: [
        { from: 'hook', to: 'calc' },
        { from: 'calc', to: 'answer' },
      ],
    }),
  };

  const raw = await rawBullmqRate(N);
  const results: Array<{ workers: number; rate: number; started: number }> = [];
  for (const count of [1, 2]) {
    const procs = Array.from({ length: count }, () =>
      spawn(
        process.execPath,
        [join(ROOT, 'bin', 'pipelit.js'), 'worker', 'workflows', '--concurrency', '20'],
        {
          env,
          cwd: dir,
          stdio: 'inherit',
        },
      ),
    );
    await sleep(3000); // let the workers connect
    const start = Date.now();
    // Started by 20 concurrent producers, like webhook requests on the server processes: one
    // sequential producer capped the rate at its own round trips, not at what the workers can do.
    let next = 0;
    const produce = async () => {
      for (let i = next++; i < N; i = next++) {
        await startExecution(services, {
          workflowId: wf.id,
          triggerNodeId: 'hook',
          userId: user!.id,
          payload: { payload: { n: i } },
        });
      }
    };
    await Promise.all(Array.from({ length: 20 }, produce));
    const startedIn = (Date.now() - start) / 1000;
    for (;;) {
      const left = await db
        .selectFrom('executions')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('status', 'not in', ['completed', 'failed'])
        .executeTakeFirstOrThrow();
      if (Number(left.n) === 0) break;
      await sleep(50);
    }
    const rate = N / ((Date.now() - start) / 1000);
    results.push({ workers: count, rate, started: N / startedIn });
    for (const p of procs) p.kill('SIGTERM');
    await Promise.all(procs.map((p) => new Promise((r) => p.once('exit', r))));
    await db.deleteFrom('executions').execute();
  }

  // WebSocket fan-out: 1,000 clients on one server process, 50 events, delay publish → receipt.
  const app = await buildApp(services, { serveSpa: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as { port: number };
  const key = (await issueApiKey(db, user!.id, 'bench')).key;
  const WebSocket = createRequire(import.meta.url)('ws') as new (
    url: string,
  ) => {
    on(e: string, cb: (d: Buffer) => void): void;
    send(t: string): void;
    close(): void;
  };
  const delays: number[] = [];
  const sockets = [];
  for (let i = 0; i < 1000; i++) {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/?token=${key}`);
    await new Promise<void>((resolve) => {
      ws.on('open', () => ws.send(JSON.stringify({ type: 'subscribe', channel: 'workflow:bench-hook' })));
      ws.on('message', (d) => {
        const m = JSON.parse(d.toString());
        if (m.type === 'subscribed') resolve();
        if (m.type === 'bench') delays.push(performance.timeOrigin + performance.now() - m.sent);
      });
    });
    sockets.push(ws);
  }
  for (let i = 0; i < 50; i++) {
    await services.bus.publish('workflow:bench-hook', {
      type: 'bench',
      sent: performance.timeOrigin + performance.now(),
    });
    await sleep(40);
  }
  const deadline = Date.now() + 10_000;
  while (delays.length < 50_000 && Date.now() < deadline) await sleep(50);
  delays.sort((a, b) => a - b);
  const pct = (p: number) => delays[Math.min(delays.length - 1, Math.floor((p / 100) * delays.length))];
  for (const ws of sockets) ws.close();
  await app.close();

  console.log(`raw BullMQ no-op jobs:            ${raw.toFixed(0)} jobs/s`);
  for (const r of results) {
    console.log(
      `webhook workflow, ${r.workers} worker(s):      ${r.rate.toFixed(0)} executions/s  (${((r.rate / raw) * 100).toFixed(1)}% of raw BullMQ; started at ${r.started.toFixed(0)}/s)`,
    );
  }
  console.log(`scaling 1 → 2 workers:            ×${(results[1].rate / results[0].rate).toFixed(2)}`);
  console.log(
    `WebSocket fan-out, 1000 clients:  ${delays.length} deliveries, p50 ${pct(50).toFixed(1)} ms, p99 ${pct(99).toFixed(1)} ms`,
  );
  await services.queue.close();
  await services.bus.close();
  await services.database.close();
  await admin.query(`drop database if exists ${dbName} with (force)`);
  await admin.end();
  process.exit(0);
}

void main();
