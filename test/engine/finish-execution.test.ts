/**
 * finishExecution: node rows and the finished execution land together; an execution that already
 * ended (a cancel won the race) is not overwritten. On PostgreSQL, a finish whose save policy drops
 * nothing is one statement (a data-modifying CTE), not begin … commit.
 */
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/schema.js';
import { finishExecution, insertExecution, type NodeState } from '../../src/engine/execution-store.js';
import { baseStateRaw } from '../../src/engine/run-helpers.js';
import type { SavePolicyHint } from '../../src/retention/save-policy.js';
import { nodeRows, seedWorkflow } from '../helpers/seed-workflow.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { dbKinds } from '../helpers/test-database.js';

const done = (nodeId: string, output: Record<string, unknown>): NodeState => ({
  ...baseStateRaw(nodeId, 'code', '', 'success', new Date().toISOString()),
  output,
  input: { from: 'upstream' },
  completedAt: new Date().toISOString(),
  durationMs: 1,
});

const hint = (policy: SavePolicyHint['policy']): SavePolicyHint => ({
  policy,
  status: 'completed',
  triggerPayloadChars: 2,
  nodeInputsStored: true,
});

describe.each(dbKinds())('finishExecution on %s', (kind) => {
  let t: TestApp;
  let workflowId = 0;
  /** Statements sent through `db` (PostgreSQL only: a second pool on the same database). */
  let counted: { db: Kysely<Database>; statements: string[]; close: () => Promise<void> } | undefined;

  beforeAll(async () => {
    t = await createTestApp(kind);
    workflowId = await seedWorkflow(t.services.database.db, t.admin.id, {
      slug: 'finish',
      nodes: [{ id: 'start', type: 'trigger_manual' }],
      edges: [],
    });
    const target = t.services.settings.database;
    if (target.kind === 'postgres') {
      const pool = new pg.Pool({ connectionString: target.url, max: 2 });
      const statements: string[] = [];
      const db = new Kysely<Database>({
        dialect: new PostgresDialect({ pool }),
        log: (event) => {
          if (event.level === 'query') statements.push(event.query.sql.trim().split(/\s+/)[0].toLowerCase());
        },
      });
      counted = { db, statements, close: () => db.destroy() };
    }
  });
  afterAll(async () => {
    await counted?.close();
    await t?.close();
  });

  const start = () =>
    insertExecution(t.services.database.db, {
      workflowId,
      triggerNodeId: 'start',
      userId: t.admin.id,
      payload: {},
    });
  const dbUnderTest = () => counted?.db ?? t.services.database.db;

  it('writes the node rows and the finished execution, and never overwrites an ended one', async () => {
    const row = await start();
    counted?.statements.splice(0);
    const finished = await finishExecution(
      dbUnderTest(),
      row.execution_id,
      { status: 'completed', finalOutput: { output: 'ok' } },
      {
        unsaved: { states: [done('a', { n: 1 }), done('b', { n: 2 })], deadline: null },
        savePolicy: hint('all'),
      },
    );
    expect(finished).toBe(true);
    // One statement on PostgreSQL: nothing for the save policy to drop under `all`.
    if (counted) expect(counted.statements).toEqual(['with']);
    const stored = await t.services.database.db
      .selectFrom('executions')
      .select(['status', 'final_output', 'lease_owner', 'completed_at'])
      .where('execution_id', '=', row.execution_id)
      .executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ status: 'completed', lease_owner: null });
    expect(JSON.parse(String(stored.final_output))).toEqual({ output: 'ok' });
    const nodes = await nodeRows(t.services.database.db, row.execution_id);
    expect(nodes.a.out).toEqual({ n: 1 });
    expect(nodes.b.out).toEqual({ n: 2 });
    expect(JSON.parse(String(nodes.a.input))).toEqual({ from: 'upstream' });

    // Ended already: the second finish reports it and leaves the outcome alone.
    const again = await finishExecution(dbUnderTest(), row.execution_id, {
      status: 'failed',
      errorMessage: 'late',
    });
    expect(again).toBe(false);
    expect(
      (
        await t.services.database.db
          .selectFrom('executions')
          .select('status')
          .where('execution_id', '=', row.execution_id)
          .executeTakeFirstOrThrow()
      ).status,
    ).toBe('completed');
  });

  it('applies a save policy that drops payloads in the same transaction', async () => {
    const row = await start();
    counted?.statements.splice(0);
    const finished = await finishExecution(
      dbUnderTest(),
      row.execution_id,
      { status: 'completed', finalOutput: { output: 'kept' } },
      { unsaved: { states: [done('a', { n: 1 })], deadline: null }, savePolicy: hint('outputs') },
    );
    expect(finished).toBe(true);
    if (counted) expect(counted.statements[0]).toBe('begin');
    const nodes = await nodeRows(t.services.database.db, row.execution_id);
    expect(nodes.a.out).toEqual({ n: 1 });
    // `outputs` drops node inputs of a successful run.
    expect(nodes.a.input).toBeNull();
  });
});
