import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqlite } from '../../src/db/database.js';
import type { Database } from '../../src/db/schema.js';
import { acquireDueLease, finishLease } from '../../src/retention/cluster-lease.js';
import { pruneExecutions } from '../../src/retention/prune-executions.js';
import { writeRetentionOverrides } from '../../src/retention/retention-settings.js';
import { pruneIfDue } from '../../src/retention/start-execution-pruning.js';
import { seedWorkflow, waitForStatus } from '../helpers/seed-workflow.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { createTestDatabase, dbKinds } from '../helpers/test-database.js';
import { fill } from './fill-executions.js';

const BULK = 20_000;
const KEEP = 1_000;

async function countBy(db: Kysely<Database>) {
  const rows = await db
    .selectFrom('executions')
    .select(['status', (eb) => eb.fn.countAll().as('n')])
    .groupBy('status')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

describe('SQLite files use incremental auto_vacuum', () => {
  it('PRAGMA auto_vacuum returns 2 (INCREMENTAL) on a fresh file', async () => {
    const database = await createTestDatabase('sqlite');
    const raw = openSqlite(database.target.kind === 'sqlite' ? database.target.path : '');
    raw.exec('create table t (x integer)');
    expect(raw.pragma('auto_vacuum', { simple: true })).toBe(2);
    raw.close();
    await database.drop();
  });
});

describe.each(dbKinds())('execution pruning on %s', (kind) => {
  let t: TestApp;
  let workflowId: number;
  beforeAll(async () => {
    // The background pass (same process) must find nothing to do: these tests prune by hand.
    const off = {
      EXECUTION_RETENTION_DAYS_SUCCESS: '0',
      EXECUTION_RETENTION_DAYS_FAILED: '0',
      EXECUTION_RETENTION_MAX_COUNT_SUCCESS: '0',
      EXECUTION_RETENTION_MAX_COUNT_FAILED: '0',
    };
    t = await createTestApp(kind, off, undefined, { engine: true });
    workflowId = await seedWorkflow(t.services.database.db, t.admin.id, {
      slug: 'trivial',
      nodes: [
        { id: 'start', type: 'trigger_manual' },
        { id: 'step', type: 'code', extra: { code: 'return { n: 1 };' } },
      ],
      edges: [{ from: 'start', to: 'step' }],
    });
  }, 120_000);
  afterAll(async () => t?.close());

  it(`prunes ${BULK} executions to ${KEEP} in batches, keeps the newest intact and reclaims space`, async () => {
    const { db } = t.services.database;
    const base = Date.now() - 10 * 86_400_000;
    // 19,000 completed and 1,000 failed/cancelled, oldest first.
    await fill(
      db,
      workflowId,
      BULK,
      (i) => (i % 20 === 0 ? (i % 40 === 0 ? 'failed' : 'cancelled') : 'completed'),
      base,
    );
    const newest = await db
      .selectFrom('executions')
      .select('execution_id')
      .where('status', '=', 'completed')
      .orderBy('created_at', 'desc')
      .limit(KEEP)
      .execute();
    if (kind === 'sqlite') await sql.raw('PRAGMA wal_checkpoint(TRUNCATE)').execute(db);

    const dry = await pruneExecutions(
      t.services.database,
      { daysSuccess: 0, daysFailed: 0, maxCountSuccess: KEEP, maxCountFailed: 500 },
      { batchSize: 500, dryRun: true },
    );
    expect(dry.total).toBe(BULK - KEEP - 500);
    expect(await countBy(db)).toMatchObject({ completed: 19_000 });

    // Real executions keep completing while the prune runs.
    const runs = (async () => {
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) {
        const res = await t.call('POST', '/api/v1/workflows/trivial/execute/', t.admin.key, {
          text: `run ${i}`,
        });
        expect(res.statusCode, res.body).toBe(200);
        ids.push(res.json().execution_id);
        await new Promise((r) => setTimeout(r, 20));
      }
      return Promise.all(ids.map((id) => waitForStatus(db, id, ['completed'], 60_000)));
    })();
    const report = await pruneExecutions(
      t.services.database,
      { daysSuccess: 0, daysFailed: 0, maxCountSuccess: KEEP, maxCountFailed: 500 },
      { batchSize: 500, pauseMs: 5 },
    );
    const finished = await runs;
    expect(finished.every((r) => r.status === 'completed')).toBe(true);

    expect(report.total).toBe(BULK - KEEP - 500);
    expect(report.removed).toEqual({ completed: 18_000, failed: 250, cancelled: 250 });
    expect(report.batches).toBeGreaterThanOrEqual(Math.ceil(18_000 / 500));
    const counts = await countBy(db);
    expect(counts.completed).toBe(KEEP + finished.length);
    expect((counts.failed ?? 0) + (counts.cancelled ?? 0)).toBe(500);

    // The newest 1,000 are intact, with their node rows; deleted executions left no node rows.
    const kept = await db
      .selectFrom('executions')
      .select(['execution_id', 'final_output'])
      .where(
        'execution_id',
        'in',
        newest.map((r) => r.execution_id),
      )
      .execute();
    expect(kept).toHaveLength(KEEP);
    expect(JSON.parse(kept[0].final_output!)).toEqual({ text: 'x'.repeat(200) });
    const nodeCount = await db
      .selectFrom('execution_nodes')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('node_id', '=', 'step')
      .executeTakeFirstOrThrow();
    expect(Number(nodeCount.n)).toBe(KEEP + 500 + finished.length);
    const orphans = await sql<{ n: number }>`
        select count(*) as n from execution_nodes n
        where not exists (select 1 from executions e where e.execution_id = n.execution_id)`.execute(db);
    expect(Number(orphans.rows[0].n)).toBe(0);

    if (kind === 'sqlite') {
      // The file gave the space back: ~95% of rows went, the file must be far smaller.
      const path = t.services.database.sqlitePath!;
      expect(report.bytesAfter).toBeLessThan(report.bytesBefore / 3);
      expect(statSync(path).size).toBe(report.bytesAfter - walSize(path));
      const free = await sql<{ freelist_count: number }>`PRAGMA freelist_count`.execute(db);
      expect(Number(free.rows[0].freelist_count)).toBeLessThan(50);
      console.log(`sqlite file ${report.bytesBefore} → ${report.bytesAfter} bytes`);
    } else {
      expect(report.bytesBefore).toBeGreaterThan(0);
      console.log(
        `postgres execution tables ${report.bytesBefore} → ${report.bytesAfter} bytes (autovacuum reclaims for reuse)`,
      );
    }
  }, 240_000);

  it('lets one process per interval take the prune lease', async () => {
    const { db } = t.services.database;
    const name = `test-lease-${randomUUID().slice(0, 6)}`;
    expect(await acquireDueLease(db, name, 'a', 60_000, 60_000)).toBe(true);
    expect(await acquireDueLease(db, name, 'b', 60_000, 60_000)).toBe(false);
    await finishLease(db, name, 'a');
    // Done just now: nobody runs it again before the interval passes…
    expect(await acquireDueLease(db, name, 'b', 60_000, 60_000)).toBe(false);
    // …and once it has, one process (only one) gets it.
    const later = Date.now() + 61_000;
    expect(await acquireDueLease(db, name, 'b', 60_000, 60_000, later)).toBe(true);
    expect(await acquireDueLease(db, name, 'c', 60_000, 60_000, later)).toBe(false);
  });
});

describe.each(dbKinds())('retention rules on %s', (kind) => {
  let t: TestApp;
  let workflowId: number;
  beforeAll(async () => {
    // No runtime: the reaper would pick up the old pending execution this test plants.
    t = await createTestApp(kind, {
      EXECUTION_RETENTION_MAX_COUNT_SUCCESS: '2',
      PRUNE_INTERVAL_SECONDS: '60',
    });
    workflowId = await seedWorkflow(t.services.database.db, t.admin.id, {
      slug: 'rules',
      nodes: [{ id: 'start', type: 'trigger_manual' }],
      edges: [],
    });
  });
  afterAll(async () => t?.close());

  it('prunes by age, separately for successful and failed runs', async () => {
    const { db } = t.services.database;
    const base = Date.now() - 40 * 86_400_000;
    // 40 executions, one per day from 40 days ago, alternating completed / failed.
    await fill(db, workflowId, 40, (i) => (i % 2 ? 'failed' : 'completed'), base);
    // Spread them one day apart (fill spaced them by seconds).
    const ordered = await db.selectFrom('executions').select('execution_id').orderBy('created_at').execute();
    for (const [i, r] of ordered.entries()) {
      await db
        .updateTable('executions')
        .set({ created_at: new Date(base + i * 86_400_000).toISOString() })
        .where('execution_id', '=', r.execution_id)
        .execute();
    }
    // Old executions that are not finished survive any policy.
    const active: string[] = [];
    for (const status of ['running', 'pending', 'interrupted'] as const) {
      const id = randomUUID();
      active.push(id);
      await db
        .insertInto('executions')
        .values({
          execution_id: id,
          workflow_id: workflowId,
          trigger_node_id: 'start',
          user_id: null,
          parent_execution_id: null,
          parent_node_id: null,
          root_execution_id: null,
          depth: 0,
          thread_id: id,
          status,
          trigger_payload: '{}',
          final_output: null,
          error_message: null,
          error_code: null,
          created_at: new Date(base - 400 * 86_400_000).toISOString(),
          started_at: null,
          completed_at: null,
          deadline_at: null,
          lease_owner: null,
          heartbeat_at: null,
          wake_at: null,
          recoveries: 0,
          total_input_tokens: 0,
          total_output_tokens: 0,
          total_tokens: 0,
          total_cost_usd: 0,
          llm_calls: 0,
        })
        .execute();
    }
    const report = await pruneExecutions(
      t.services.database,
      { daysSuccess: 10, daysFailed: 30, maxCountSuccess: 1, maxCountFailed: 0 },
      { batchSize: 7 },
    );
    // Days 0..39 ago ↔ i = 40 - days. Completed (even i) kept when younger than 10 days; failed when younger than 30.
    const left = await db.selectFrom('executions').select(['status', 'created_at']).execute();
    const ageDays = (iso: string) => (Date.now() - Date.parse(iso)) / 86_400_000;
    expect(left.filter((r) => r.status === 'completed').every((r) => ageDays(r.created_at) < 10)).toBe(true);
    expect(left.filter((r) => r.status === 'failed').every((r) => ageDays(r.created_at) < 30)).toBe(true);
    // Completed (even i): age 40 - i < 10 → i = 32..38, then the count limit of 1 keeps the newest.
    expect(left.filter((r) => r.status === 'completed').length).toBe(1);
    expect(left.filter((r) => r.status === 'failed').length).toBe(15);
    expect(report.removed).toEqual({ completed: 19, failed: 5, cancelled: 0 });
    const survivors = await db
      .selectFrom('executions')
      .select('status')
      .where('execution_id', 'in', active)
      .execute();
    expect(survivors.map((r) => r.status).sort()).toEqual(['interrupted', 'pending', 'running']);
  });

  it('runs the configured pass once per interval in the cluster (admin overrides win)', async () => {
    const { db } = t.services.database;
    await fill(db, workflowId, 6, () => 'completed', Date.now() - 60_000);
    // The env says keep 2; the admin says keep 4.
    await writeRetentionOverrides(db, { maxCountSuccess: 4 }, null);
    const first = await pruneIfDue(t.services, 'process-a');
    expect(first?.removed.completed).toBeGreaterThanOrEqual(2);
    const completed = await db
      .selectFrom('executions')
      .select('execution_id')
      .where('status', '=', 'completed')
      .execute();
    expect(completed).toHaveLength(4);
    // Another process, right after: not due yet.
    expect(await pruneIfDue(t.services, 'process-b')).toBeNull();
  });
});

function walSize(path: string): number {
  try {
    return statSync(`${path}-wal`).size;
  } catch {
    return 0;
  }
}
