/**
 * Webhook throughput in embedded mode: webhook → code → switch → reply, answered in wait mode (so
 * each request is one persisted, finished execution), at concurrency 1, 10 and 50 — next to a bare
 * Fastify route measured in the same run. Prints executions/s, p50, p99 and the ratio.
 *
 *   npm run bench -- webhook [seconds-per-step]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { cpus, totalmem } from 'node:os';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { seedWorkflow } from '../test/helpers/seed-workflow.js';
import { startEmbeddedServer } from './embedded-server.js';

const seconds = Number(process.argv[2] ?? 8);
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '1,10,50').split(',').map(Number);

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

async function load(
  url: string,
  connections: number,
  body?: string,
  headers?: Record<string, string>,
): Promise<Figures> {
  const result = await autocannon({
    url,
    // Generate load from a worker thread so it does not share the server's event loop.
    workers: 1,
    connections,
    duration: seconds,
    method: body ? 'POST' : 'GET',
    body,
    headers,
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

/**
 * CPU time of the main thread (the server's event loop; the load generator is a worker thread), from
 * /proc — less at the mercy of a noisy VM than throughput. NaN where /proc is missing.
 */
function mainThreadCpuMs(): number {
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime and stime (fields 14 and 15 of stat(5); 12 and 13 after the name), in clock ticks.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}
const CLOCK_TICKS = 100;

/** BENCH_PROFILE=prefix writes a CPU profile of each Pipelit step (not the bare route) to prefix-c<N>.cpuprofile. */
async function startProfiler() {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop(file: string) {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

async function main() {
  const server = await startEmbeddedServer('webhook');
  const { app, db } = server;
  await seedWorkflow(db, server.adminId, {
    slug: 'bench',
    nodes: [
      {
        id: 'hook',
        type: 'trigger_webhook',
        extra: { auth: 'header', secret: 'bench-secret', response_mode: 'wait' },
      },
      // BENCH_NO_CODE=1 swaps the sandboxed code node for a merge, to see the engine without QuickJS.
      process.env.BENCH_NO_CODE
        ? { id: 'calc', type: 'merge' }
        : { id: 'calc', type: 'code', extra: { code: 'return { n: input.n * 2 };' } },
      {
        id: 'pick',
        type: 'switch',
        extra: {
          rules: [{ id: 'big', field: 'calc.output.n', operator: 'gt', value: 10 }],
          enable_fallback: true,
        },
      },
      { id: 'big', type: 'reply_chat', extra: { message: 'big {{ calc.output.n }}' } },
      { id: 'small', type: 'reply_chat', extra: { message: 'small {{ calc.output.n }}' } },
    ],
    edges: [
      { from: 'hook', to: 'calc' },
      { from: 'calc', to: 'pick' },
      { from: 'pick', to: 'big', when: 'big' },
      { from: 'pick', to: 'small', when: '__other__' },
    ],
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;

  const bare = Fastify();
  bare.post('/hook', async () => ({ ok: true }));
  await bare.listen({ host: '127.0.0.1', port: 0 });
  const barePort = (bare.server.address() as { port: number }).port;

  const body = JSON.stringify({ n: 7 });
  const headers = { 'content-type': 'application/json', 'x-pipelit-secret': 'bench-secret' };
  // Warm up (QuickJS workers, statement caches).
  await load(`http://127.0.0.1:${port}/api/v1/webhooks/bench`, 4, body, headers);

  console.log(
    `machine: ${cpus().length} cores (${cpus()[0]?.model}), ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`,
  );
  console.log(`${seconds}s per step; webhook → code → switch → reply, wait mode, SQLite (WAL)\n`);
  console.log('conc | bare req/s | pipelit exec/s | ratio | p50 ms | p99 ms | cpu ms/ex | errors');
  for (const c of CONCURRENCY) {
    const b = await load(`http://127.0.0.1:${barePort}/hook`, c, body, {
      'content-type': 'application/json',
    });
    const before = await db
      .selectFrom('executions')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    const profiler = process.env.BENCH_PROFILE ? await startProfiler() : undefined;
    const cpuBefore = mainThreadCpuMs();
    const p = await load(`http://127.0.0.1:${port}/api/v1/webhooks/bench`, c, body, headers);
    const cpuMs = mainThreadCpuMs() - cpuBefore;
    if (profiler) await profiler.stop(`${process.env.BENCH_PROFILE}-c${c}.cpuprofile`);
    const after = await db
      .selectFrom('executions')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('status', '=', 'completed')
      .executeTakeFirstOrThrow();
    const persisted = Number(after.n) - Number(before.n);
    const cpuPerExecution = persisted > 0 ? (cpuMs / persisted).toFixed(2) : '-';
    console.log(
      `${String(c).padStart(4)} | ${b.rps.toFixed(0).padStart(10)} | ${p.rps.toFixed(0).padStart(14)} | ${(p.rps / b.rps).toFixed(3).padStart(5)} | ${String(p.p50).padStart(6)} | ${String(p.p99).padStart(6)} | ${cpuPerExecution.padStart(9)} | ${p.errors + p.non2xx} (persisted ≈ ${persisted})`,
    );
  }

  await bare.close();
  await server.stop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
