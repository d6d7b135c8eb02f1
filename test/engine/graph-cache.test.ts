/**
 * The engine reuses a workflow's loaded nodes and edges while `workflows.graph_version` is unchanged;
 * database triggers bump it on every node or edge change. These tests change a graph between runs —
 * through the API and behind its back with plain SQL — and check the next run sees the change. They
 * also check that results of pure nodes, written with the execution's finish, all land.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeRows, seedWorkflow, waitForStatus } from '../helpers/seed-workflow.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { dbKinds } from '../helpers/test-database.js';

describe.each(dbKinds())('graph cache and deferred node rows on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, {}, undefined, { engine: true });
  });
  afterAll(async () => t?.close());

  const runToEnd = async (slug: string) => {
    const res = await t.call('POST', `/api/v1/workflows/${slug}/execute/`, t.admin.key, { text: 'x' });
    expect(res.statusCode, res.body).toBe(200);
    const id = res.json().execution_id as string;
    const row = await waitForStatus(t.services.database.db, id, ['completed', 'failed']);
    expect(row.status, row.error_message ?? '').toBe('completed');
    return { id, row };
  };
  const graphVersion = async (slug: string) =>
    (
      await t.services.database.db
        .selectFrom('workflows')
        .select('graph_version')
        .where('slug', '=', slug)
        .executeTakeFirstOrThrow()
    ).graph_version;

  it('runs the changed graph after a node is edited, added or rewired', async () => {
    await seedWorkflow(t.services.database.db, t.admin.id, {
      slug: 'cache-edit',
      nodes: [
        { id: 'start', type: 'trigger_manual' },
        { id: 'say', type: 'reply_chat', extra: { message: 'first' } },
      ],
      edges: [{ from: 'start', to: 'say' }],
    });
    expect((await runToEnd('cache-edit')).row.final).toEqual({ output: 'first' });

    const before = await graphVersion('cache-edit');
    const patched = await t.call('PATCH', '/api/v1/workflows/cache-edit/nodes/say', t.admin.key, {
      config: { extra_config: { message: 'second' } },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(await graphVersion('cache-edit')).toBeGreaterThan(before);
    expect((await runToEnd('cache-edit')).row.final).toEqual({ output: 'second' });

    // A new node wired after the reply: the next run has three node rows.
    const added = await t.call('POST', '/api/v1/workflows/cache-edit/nodes', t.admin.key, {
      node_id: 'after',
      component_type: 'reply_chat',
      config: { extra_config: { message: 'third' } },
    });
    expect(added.statusCode, added.body).toBe(201);
    const edge = await t.call('POST', '/api/v1/workflows/cache-edit/edges', t.admin.key, {
      source_node_id: 'say',
      target_node_id: 'after',
    });
    expect(edge.statusCode, edge.body).toBe(201);
    const third = await runToEnd('cache-edit');
    expect(third.row.final).toEqual({ output: 'third' });
    expect(Object.keys(await nodeRows(t.services.database.db, third.id)).sort()).toEqual(['after', 'say']);
  });

  it('sees a change made with plain SQL, behind the API', async () => {
    await seedWorkflow(t.services.database.db, t.admin.id, {
      slug: 'cache-sql',
      nodes: [
        { id: 'start', type: 'trigger_manual' },
        { id: 'say', type: 'reply_chat', extra: { message: 'before' } },
      ],
      edges: [{ from: 'start', to: 'say' }],
    });
    expect((await runToEnd('cache-sql')).row.final).toEqual({ output: 'before' });
    const config = JSON.stringify({ extra_config: { message: 'after' } });
    await sql`update workflow_nodes set config = ${config}
      where node_id = 'say' and workflow_id = (select id from workflows where slug = 'cache-sql')`.execute(
      t.services.database.db,
    );
    expect((await runToEnd('cache-sql')).row.final).toEqual({ output: 'after' });
  });

  it('writes the rows of a run of pure nodes, skipped ones included, with the finish', async () => {
    await seedWorkflow(t.services.database.db, t.admin.id, {
      slug: 'pure-rows',
      nodes: [
        { id: 'start', type: 'trigger_manual' },
        { id: 'calc', type: 'code', extra: { code: 'return { n: 21 * 2 };' } },
        {
          id: 'pick',
          type: 'switch',
          extra: {
            rules: [{ id: 'big', field: 'calc.output.n', operator: 'gt', value: 10 }],
            enable_fallback: true,
          },
        },
        { id: 'big', type: 'reply_chat', extra: { message: 'big {{ calc.output.n }}' } },
        { id: 'small', type: 'reply_chat', extra: { message: 'small' } },
      ],
      edges: [
        { from: 'start', to: 'calc' },
        { from: 'calc', to: 'pick' },
        { from: 'pick', to: 'big', when: 'big' },
        { from: 'pick', to: 'small', when: '__other__' },
      ],
    });
    const { id, row } = await runToEnd('pure-rows');
    expect(row.final).toEqual({ output: 'big 42' });
    const nodes = await nodeRows(t.services.database.db, id);
    expect(nodes.calc.status).toBe('success');
    expect(nodes.calc.out).toEqual({ output: { n: 42 } });
    expect(nodes.pick.route).toBe('big');
    expect(nodes.big.status).toBe('success');
    expect(nodes.small.status).toBe('skipped');
    const stored = await t.services.database.db
      .selectFrom('executions')
      .select(['deadline_at', 'started_at'])
      .where('execution_id', '=', id)
      .executeTakeFirstOrThrow();
    // The deadline fixed at the start is written with the finish.
    expect(Date.parse(stored.deadline_at!)).toBeGreaterThan(Date.parse(stored.started_at!));
  });
});
