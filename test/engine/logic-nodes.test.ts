/**
 * The engine end to end on tiny workflows: real embedded queue, real database, every node's status
 * and output checked, untaken branches `skipped`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeRows, seedWorkflow, waitForStatus } from '../helpers/seed-workflow.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { dbKinds } from '../helpers/test-database.js';

describe.each(dbKinds())('engine logic nodes on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, {}, undefined, { engine: true });
  });
  afterAll(async () => t?.close());

  const run = async (slug: string, text = '', payload?: Record<string, unknown>) => {
    const res = await t.call('POST', `/api/v1/workflows/${slug}/execute/`, t.admin.key, { text, payload });
    expect(res.statusCode, res.body).toBe(200);
    return res.json().execution_id as string;
  };

  it('runs a merge after a switch whose other branch was not taken', async () => {
    await seedWorkflow(t.services.database.db, t.admin.id, {
      slug: 'switch-merge',
      nodes: [
        { id: 'start', type: 'trigger_manual' },
        {
          id: 'route',
          type: 'switch',
          extra: {
            rules: [{ id: 'is_a', field: 'trigger.text', operator: 'equals', value: 'a' }],
            enable_fallback: true,
          },
        },
        { id: 'branch_a', type: 'wait', extra: { duration: 0 } },
        { id: 'branch_b', type: 'wait', extra: { duration: 0 } },
        { id: 'join', type: 'merge' },
        { id: 'done', type: 'reply_chat', extra: { message: 'merged {{ join.merged | length }}' } },
      ],
      edges: [
        { from: 'start', to: 'route' },
        { from: 'route', to: 'branch_a', when: 'is_a' },
        { from: 'route', to: 'branch_b', when: '__other__' },
        { from: 'branch_a', to: 'join' },
        { from: 'branch_b', to: 'join' },
        { from: 'join', to: 'done' },
      ],
    });
    const id = await run('switch-merge', 'a');
    const row = await waitForStatus(t.services.database.db, id, ['completed', 'failed']);
    expect(row.status, row.error_message ?? '').toBe('completed');
    const nodes = await nodeRows(t.services.database.db, id);
    expect(nodes.route.status).toBe('success');
    expect(nodes.route.route).toBe('is_a');
    expect(nodes.branch_a.status).toBe('success');
    expect(nodes.branch_b.status).toBe('skipped');
    expect(nodes.join.status).toBe('success');
    expect(nodes.join.out).toEqual({ merged: ['Waited 0 seconds'] });
    expect(row.final).toEqual({ output: 'merged 1' });

    const other = await run('switch-merge', 'zzz');
    await waitForStatus(t.services.database.db, other, ['completed']);
    const n2 = await nodeRows(t.services.database.db, other);
    expect(n2.branch_a.status).toBe('skipped');
    expect(n2.branch_b.status).toBe('success');
    expect(n2.route.route).toBe('__other__');
  });

  it('lands both outputs of two parallel branches', async () => {
    await seedWorkflow(t.services.database.db, t.admin.id, {
      slug: 'parallel',
      nodes: [
        { id: 'start', type: 'trigger_manual' },
        { id: 'left', type: 'wait', extra: { duration: 0.3 } },
        { id: 'right', type: 'wait', extra: { duration: 0.1 } },
        { id: 'join', type: 'merge', extra: { mode: 'append' } },
      ],
      edges: [
        { from: 'start', to: 'left' },
        { from: 'start', to: 'right' },
        { from: 'left', to: 'join' },
        { from: 'right', to: 'join' },
      ],
    });
    const started = Date.now();
    const id = await run('parallel');
    const row = await waitForStatus(t.services.database.db, id, ['completed', 'failed']);
    expect(row.status).toBe('completed');
    // Concurrent, not one after the other.
    expect(Date.now() - started).toBeLessThan(2000);
    const nodes = await nodeRows(t.services.database.db, id);
    expect(nodes.left.out).toEqual({ output: 'Waited 0.3 seconds' });
    expect(nodes.right.out).toEqual({ output: 'Waited 0.1 seconds' });
    expect(nodes.join.out.merged).toHaveLength(2);
    expect(row.final.node_outputs.left).toEqual({ output: 'Waited 0.3 seconds' });
    expect(row.final.node_outputs.right).toEqual({ output: 'Waited 0.1 seconds' });
  });

  it('routes an assertion to pass or fail and filters lists', async () => {
    await seedWorkflow(t.services.database.db, t.admin.id, {
      slug: 'assert-filter',
      nodes: [
        { id: 'start', type: 'trigger_manual' },
        {
          id: 'keep_big',
          type: 'filter',
          extra: {
            source_node: 'start',
            field: 'payload.items',
            rules: [{ field: 'n', operator: 'gt', value: 2 }],
          },
        },
        {
          id: 'check',
          type: 'assertion',
          extra: { rules: [{ field: 'keep_big.filtered', operator: 'length_eq', value: 2 }] },
        },
        { id: 'ok', type: 'reply_chat', extra: { message: 'pass' } },
        { id: 'bad', type: 'reply_chat', extra: { message: 'fail' } },
      ],
      edges: [
        { from: 'start', to: 'keep_big' },
        { from: 'keep_big', to: 'check' },
        { from: 'check', to: 'ok', when: 'pass' },
        { from: 'check', to: 'bad', when: 'fail' },
      ],
    });
    const id = await run('assert-filter', '', { items: [{ n: 1 }, { n: 3 }, { n: 5 }] });
    const row = await waitForStatus(t.services.database.db, id, ['completed', 'failed']);
    expect(row.status, row.error_message ?? '').toBe('completed');
    const nodes = await nodeRows(t.services.database.db, id);
    expect(nodes.keep_big.out).toEqual({ filtered: [{ n: 3 }, { n: 5 }] });
    expect(nodes.check.out.output.passed).toBe(true);
    expect(nodes.bad.status).toBe('skipped');
    expect(row.final).toEqual({ output: 'pass' });

    const second = await run('assert-filter', '', { items: [{ n: 9 }] });
    const row2 = await waitForStatus(t.services.database.db, second, ['completed']);
    expect(row2.final).toEqual({ output: 'fail' });
  });

  it('loops over a list with the loop context and keeps results in order', async () => {
    await seedWorkflow(t.services.database.db, t.admin.id, {
      slug: 'loop-basic',
      nodes: [
        { id: 'start', type: 'trigger_manual' },
        { id: 'each', type: 'loop', extra: { source_node: 'start', field: 'payload.items' } },
        {
          id: 'shout',
          type: 'switch',
          extra: {
            rules: [{ id: 'big', field: 'loop.item', operator: 'gt', value: 10 }],
            enable_fallback: true,
          },
        },
        { id: 'after', type: 'merge', extra: { source_nodes: ['each'] } },
      ],
      edges: [
        { from: 'start', to: 'each' },
        { from: 'each', to: 'shout', label: 'loop_body' },
        { from: 'shout', to: 'each', label: 'loop_return' },
        { from: 'each', to: 'after' },
      ],
    });
    const id = await run('loop-basic', '', { items: [5, 50, 7] });
    const row = await waitForStatus(t.services.database.db, id, ['completed', 'failed']);
    expect(row.status, row.error_message ?? '').toBe('completed');
    const nodes = await nodeRows(t.services.database.db, id);
    expect(nodes.each.out.results).toEqual([
      { shout: { route: '__other__' } },
      { shout: { route: 'big' } },
      { shout: { route: '__other__' } },
    ]);
    expect(nodes['shout@each:1'].route).toBe('big');
    expect(nodes.after.status).toBe('success');
  });

  it('publishes node and execution events on the workflow channel', async () => {
    await seedWorkflow(t.services.database.db, t.admin.id, {
      slug: 'events',
      nodes: [
        { id: 'start', type: 'trigger_manual' },
        {
          id: 'pick',
          type: 'switch',
          extra: { rules: [{ id: 'x', field: 'trigger.text', operator: 'equals', value: 'x' }] },
        },
        { id: 'never', type: 'wait' },
      ],
      edges: [
        { from: 'start', to: 'pick' },
        { from: 'pick', to: 'never', when: 'x' },
      ],
    });
    const seen: Array<Record<string, any>> = [];
    const off = await t.services.bus.subscribe('workflow:events', (_c, m) => seen.push(m));
    const id = await run('events', 'nope');
    await waitForStatus(t.services.database.db, id, ['completed']);
    await new Promise((r) => setTimeout(r, 50));
    await off();
    const types = seen.map((m) => `${m.type}:${m.data?.node_id ?? ''}:${m.data?.status ?? ''}`);
    expect(types).toEqual(
      expect.arrayContaining([
        'execution_started::',
        'node_status:pick:running',
        'node_status:pick:success',
        'node_status:never:skipped',
        'execution_completed::',
      ]),
    );
    expect(seen.every((m) => m.channel === 'workflow:events' && m.execution_id === id)).toBe(true);
  });

  it('fails a node type whose runtime is not available yet, loudly', async () => {
    await seedWorkflow(t.services.database.db, t.admin.id, {
      slug: 'not-yet',
      nodes: [
        { id: 'start', type: 'trigger_manual' },
        { id: 'mystery', type: 'no_such_type' },
      ],
      edges: [{ from: 'start', to: 'mystery' }],
    });
    const id = await run('not-yet');
    const row = await waitForStatus(t.services.database.db, id, ['completed', 'failed']);
    expect(row.status).toBe('failed');
    expect(row.error_message).toContain("Unknown node type 'no_such_type'");
  });
});
