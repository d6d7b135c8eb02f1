/**
 * Storage per execution in embedded mode: a fresh SQLite file, N trivial webhook → code → reply
 * executions (wait mode, so each request is one finished, persisted execution), then the file-size
 * growth after a WAL checkpoint(TRUNCATE) divided by N. Prints bytes/execution and, per table and
 * index, where the bytes went (SQLite `dbstat`). Target: ≤ 2048 bytes/execution.
 *
 *   npm run bench -- storage [executions=10000] [concurrency=8]
 */
import { statSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { sql } from 'kysely';
import { seedWorkflow } from '../test/helpers/seed-workflow.js';
import { startEmbeddedServer } from './embedded-server.js';

const TOTAL = Number(process.argv[2] ?? 10_000);
const CONCURRENCY = Number(process.argv[3] ?? 8);

async function main() {
  const server = await startEmbeddedServer('storage', {
    // Measure growth, not pruning.
    EXECUTION_RETENTION_MAX_COUNT_SUCCESS: '0',
    EXECUTION_RETENTION_DAYS_SUCCESS: '0',
  });
  const { app, db, file } = server;
  await seedWorkflow(db, server.adminId, {
    slug: 'storage',
    nodes: [
      {
        id: 'hook',
        type: 'trigger_webhook',
        extra: { auth: 'header', secret: 'bench-secret', response_mode: 'wait' },
      },
      { id: 'calc', type: 'code', extra: { code: 'return { n: input.n * 2 };' } },
      { id: 'answer', type: 'reply_chat', extra: { message: 'n is {{ calc.output.n }}' } },
    ],
    edges: [
      { from: 'hook', to: 'calc' },
      { from: 'calc', to: 'answer' },
    ],
  });

  const fire = async (i: number) => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/webhooks/storage',
      payload: JSON.stringify({ n: i }),
      headers: { 'content-type': 'application/json', 'x-pipelit-secret': 'bench-secret' },
    });
    if (res.statusCode !== 200) throw new Error(`webhook answered ${res.statusCode}: ${res.body}`);
  };
  const checkpoint = async () => {
    await sql.raw('PRAGMA wal_checkpoint(TRUNCATE)').execute(db);
    return statSync(file).size;
  };

  // Warm up (QuickJS, statement caches, first pages of every table), then measure from a checkpoint.
  for (let i = 0; i < 20; i++) await fire(i);
  const before = await checkpoint();
  const started = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < TOTAL) await fire(next++);
    }),
  );
  const seconds = (Date.now() - started) / 1000;
  const after = await checkpoint();
  const perExecution = (after - before) / TOTAL;

  console.log(
    `machine: ${cpus().length} cores (${cpus()[0]?.model}), ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`,
  );
  console.log(
    `${TOTAL} executions (webhook → code → reply, wait mode) in ${seconds.toFixed(1)}s, concurrency ${CONCURRENCY}`,
  );
  console.log(`file: ${before} → ${after} bytes (after checkpoint)`);
  console.log(`bytes/execution: ${perExecution.toFixed(0)} (target ≤ 2048)`);
  try {
    const rows = await sql<{ name: string; bytes: number }>`
      select name, sum(pgsize) as bytes from dbstat group by name order by bytes desc`.execute(db);
    console.log('\nwhere the bytes are (dbstat, whole file):');
    for (const r of rows.rows.slice(0, 12))
      console.log(`  ${r.name.padEnd(40)} ${String(r.bytes).padStart(12)}`);
  } catch {
    console.log('(dbstat is not available in this SQLite build)');
  }

  await server.stop(Boolean(process.env.KEEP_BENCH_DB));
  if (process.env.KEEP_BENCH_DB) console.log(`kept ${file}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
