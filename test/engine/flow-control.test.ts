/**
 * Code, sub-workflows, child executions, human confirmation across a restart, cancel and timeout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineNode } from '../../src/nodes/define-node.js';
import { registerNodeType } from '../../src/nodes/registry.js';
import { nodeRows, seedWorkflow, waitForStatus } from '../helpers/seed-workflow.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { createTestDatabase, dbKinds } from '../helpers/test-database.js';

describe.each(dbKinds())('engine flow control on %s', (kind) => {
  let t: TestApp;
  let unregister: () => void;
  beforeAll(async () => {
    t = await createTestApp(kind, {}, undefined, { engine: true });
    // A test node that asks the engine for three child executions, like spawn & await does.
    unregister = registerNodeType(
      defineNode({
        type: 'test_spawn_three',
        displayName: 'Spawn three',
        description: 'test only',
        category: 'logic',
        inputs: [],
        outputs: [{ name: 'results', data_type: 'array' }],
        config: z.looseObject({}),
        flags: { executable: true },
        palette: { label: 'Spawn', color: '#000' },
        async run(ctx) {
          if (ctx.childResults) return { outputs: { results: ctx.childResults } };
          return {
            outputs: {},
            children: ['first', 'second', 'third'].map((text) => ({
              workflowSlug: 'echo-child',
              payload: { text },
            })),
          };
        },
      }),
    );
  });
  afterAll(async () => {
    unregister?.();
    await t?.close();
  });

  const db = () => t.services.database.db;
  const run = async (slug: string, text = '', payload?: Record<string, unknown>) => {
    const res = await t.call('POST', `/api/v1/workflows/${slug}/execute/`, t.admin.key, { text, payload });
    expect(res.statusCode, res.body).toBe(200);
    return res.json().execution_id as string;
  };

  it('loops over a code node list output; code returns structured JSON', async () => {
    await seedWorkflow(db(), t.admin.id, {
      slug: 'code-loop',
      nodes: [
        { id: 'start', type: 'trigger_manual' },
        {
          id: 'gen',
          type: 'code',
          extra: { code: 'return { items: [1, 2, 3].map((n) => ({ n, sq: n * n })) };' },
        },
        { id: 'each', type: 'loop', extra: { source_node: 'gen', field: 'items' } },
        { id: 'double', type: 'code', extra: { code: 'return loop.item.sq * 2 + loop.index;' } },
        {
          id: 'sum',
          type: 'code',
          extra: { code: 'return node_outputs.each.results.map((r) => r.double.output);' },
        },
      ],
      edges: [
        { from: 'start', to: 'gen' },
        { from: 'gen', to: 'each' },
        { from: 'each', to: 'double', label: 'loop_body' },
        { from: 'double', to: 'each', label: 'loop_return' },
        { from: 'each', to: 'sum' },
      ],
    });
    const id = await run('code-loop');
    const row = await waitForStatus(db(), id, ['completed', 'failed']);
    expect(row.status, row.error_message ?? '').toBe('completed');
    const nodes = await nodeRows(db(), id);
    expect(nodes.gen.out.output).toEqual({
      items: [
        { n: 1, sq: 1 },
        { n: 2, sq: 4 },
        { n: 3, sq: 9 },
      ],
    });
    expect(nodes.sum.out.output).toEqual([2, 9, 20]);
  });

  it("reaches a subworkflow's result in its parent", async () => {
    await seedWorkflow(db(), t.admin.id, {
      slug: 'echo-child',
      nodes: [
        { id: 'called', type: 'trigger_workflow' },
        { id: 'say', type: 'reply_chat', extra: { message: 'child says {{ trigger.text }}' } },
      ],
      edges: [{ from: 'called', to: 'say' }],
    });
    await seedWorkflow(db(), t.admin.id, {
      slug: 'parent',
      nodes: [
        { id: 'start', type: 'trigger_manual' },
        { id: 'sub', type: 'workflow', extra: { target_workflow: 'echo-child' } },
        { id: 'reply', type: 'reply_chat', extra: { message: 'parent got: {{ sub.output.output }}' } },
      ],
      edges: [
        { from: 'start', to: 'sub' },
        { from: 'sub', to: 'reply' },
      ],
    });
    const id = await run('parent', 'hello');
    const row = await waitForStatus(db(), id, ['completed', 'failed']);
    expect(row.status, row.error_message ?? '').toBe('completed');
    expect(row.final).toEqual({ output: 'parent got: child says hello' });
    const children = await db()
      .selectFrom('executions')
      .selectAll()
      .where('parent_execution_id', '=', id)
      .execute();
    expect(children).toHaveLength(1);
    expect(children[0].status).toBe('completed');
  });

  it('returns the results of three spawned children in request order', async () => {
    await seedWorkflow(db(), t.admin.id, {
      slug: 'spawner',
      nodes: [
        { id: 'start', type: 'trigger_manual' },
        { id: 'spawn', type: 'test_spawn_three' },
      ],
      edges: [{ from: 'start', to: 'spawn' }],
    });
    const id = await run('spawner');
    const row = await waitForStatus(db(), id, ['completed', 'failed']);
    expect(row.status, row.error_message ?? '').toBe('completed');
    const nodes = await nodeRows(db(), id);
    expect(nodes.spawn.out.results).toEqual([
      { output: 'child says first' },
      { output: 'child says second' },
      { output: 'child says third' },
    ]);
  });

  it('cancels a running code node and a durable wait within a second', async () => {
    await seedWorkflow(db(), t.admin.id, {
      slug: 'spin',
      nodes: [
        { id: 'start', type: 'trigger_manual' },
        { id: 'busy', type: 'code', extra: { code: 'while (true) {}', timeout_seconds: 60 } },
      ],
      edges: [{ from: 'start', to: 'busy' }],
    });
    const id = await run('spin');
    await waitForStatus(db(), id, ['running']);
    await new Promise((r) => setTimeout(r, 300));
    const before = Date.now();
    const res = await t.call('POST', `/api/v1/executions/${id}/cancel/`, t.admin.key);
    expect(res.json().status).toBe('cancelled');
    // The worker lets go of the execution: its job ends.
    for (;;) {
      const stats = await t.services.queue.stats();
      if (stats.active === 0) break;
      expect(Date.now() - before).toBeLessThan(1000);
      await new Promise((r) => setTimeout(r, 20));
    }
    const nodes = await nodeRows(db(), id);
    expect(nodes.busy?.status).not.toBe('success');

    await seedWorkflow(db(), t.admin.id, {
      slug: 'long-wait',
      nodes: [
        { id: 'start', type: 'trigger_manual' },
        { id: 'nap', type: 'wait', extra: { duration: 1, unit: 'hours' } },
      ],
      edges: [{ from: 'start', to: 'nap' }],
    });
    const waitId = await run('long-wait');
    for (;;) {
      const rows = await nodeRows(db(), waitId);
      if (rows.nap?.status === 'waiting') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const cancelled = await t.call('POST', `/api/v1/executions/${waitId}/cancel/`, t.admin.key);
    expect(cancelled.json().status).toBe('cancelled');
  });

  it('fails an execution that passes its wall-clock limit, with a clear reason', async () => {
    await seedWorkflow(db(), t.admin.id, {
      slug: 'too-slow',
      maxSeconds: 1,
      nodes: [
        { id: 'start', type: 'trigger_manual' },
        { id: 'busy', type: 'code', extra: { code: 'while (true) {}', timeout_seconds: 60 } },
      ],
      edges: [{ from: 'start', to: 'busy' }],
    });
    const id = await run('too-slow');
    const row = await waitForStatus(db(), id, ['failed', 'completed'], 5000);
    expect(row.status).toBe('failed');
    expect(row.error_code).toBe('timeout');
    expect(row.error_message).toMatch(/timed out after \d+s \(limit: 1s\)/);
  });

  it('routes a failure through an error edge, or to the error handler workflow', async () => {
    const handlerId = await seedWorkflow(db(), t.admin.id, {
      slug: 'on-error',
      nodes: [
        { id: 'oops', type: 'trigger_error' },
        { id: 'note', type: 'reply_chat', extra: { message: 'handled {{ trigger.error.source_node_id }}' } },
      ],
      edges: [{ from: 'oops', to: 'note' }],
    });
    await seedWorkflow(db(), t.admin.id, {
      slug: 'breaks',
      errorHandlerId: handlerId,
      nodes: [
        { id: 'start', type: 'trigger_manual' },
        { id: 'boom', type: 'code', extra: { code: 'throw new Error("kaput")' } },
      ],
      edges: [{ from: 'start', to: 'boom' }],
    });
    const id = await run('breaks');
    const row = await waitForStatus(db(), id, ['failed', 'completed']);
    expect(row.status).toBe('failed');
    expect(row.error_message).toContain('kaput');
    let handled: any;
    for (let i = 0; i < 200 && !handled; i++) {
      handled = await db()
        .selectFrom('executions')
        .selectAll()
        .where('workflow_id', '=', handlerId)
        .where('status', '=', 'completed')
        .executeTakeFirst();
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(JSON.parse(handled.final_output)).toEqual({ output: 'handled boom' });

    await seedWorkflow(db(), t.admin.id, {
      slug: 'recovers',
      nodes: [
        { id: 'start', type: 'trigger_manual' },
        { id: 'boom', type: 'code', extra: { code: 'throw new Error("kaput")' } },
        { id: 'fallback', type: 'reply_chat', extra: { message: 'recovered' } },
      ],
      edges: [
        { from: 'start', to: 'boom' },
        { from: 'boom', to: 'fallback', label: 'error' },
      ],
    });
    const second = await run('recovers');
    const row2 = await waitForStatus(db(), second, ['failed', 'completed']);
    expect(row2.status).toBe('completed');
    expect(row2.final).toEqual({ output: 'recovered' });
  });
});

describe.each(dbKinds())('human confirmation on %s', (kind) => {
  it('resumes after a server restart when approved, and denies cleanly', async () => {
    const database = await createTestDatabase(kind);
    let t = await createTestApp(kind, {}, undefined, { engine: true, database, keepDatabase: true });
    try {
      await seedWorkflow(t.services.database.db, t.admin.id, {
        slug: 'needs-ok',
        nodes: [
          { id: 'start', type: 'trigger_manual' },
          { id: 'ask', type: 'human_confirmation', extra: { prompt: 'Ship it?' } },
          { id: 'yes', type: 'reply_chat', extra: { message: 'shipped ({{ ask.user_response }})' } },
          { id: 'no', type: 'reply_chat', extra: { message: 'held' } },
        ],
        edges: [
          { from: 'start', to: 'ask' },
          { from: 'ask', to: 'yes', when: 'confirmed' },
          { from: 'ask', to: 'no', when: 'cancelled' },
        ],
      });
      const start = await t.call('POST', '/api/v1/workflows/needs-ok/execute/', t.admin.key, {});
      const id = start.json().execution_id;
      await waitForStatus(t.services.database.db, id, ['interrupted']);
      const detail = (await t.call('GET', `/api/v1/executions/${id}/`, t.admin.key)).json();
      expect(detail.pending_tasks[0].prompt).toBe('Ship it?');

      // The server goes away and comes back: the state is in the database.
      await t.close();
      t = await createTestApp(kind, {}, undefined, { engine: true, database, keepDatabase: true });
      const approve = await t.call('POST', `/api/v1/executions/${id}/approve/`, t.admin.key);
      expect(approve.statusCode, approve.body).toBe(200);
      const row = await waitForStatus(t.services.database.db, id, ['completed', 'failed']);
      expect(row.status, row.error_message ?? '').toBe('completed');
      expect(row.final).toEqual({ output: 'shipped (confirm)' });
      const nodes = await nodeRows(t.services.database.db, id);
      expect(nodes.no.status).toBe('skipped');

      const second = (await t.call('POST', '/api/v1/workflows/needs-ok/execute/', t.admin.key, {})).json()
        .execution_id;
      await waitForStatus(t.services.database.db, second, ['interrupted']);
      expect((await t.call('POST', `/api/v1/executions/${second}/deny/`, t.admin.key)).statusCode).toBe(200);
      const denied = await waitForStatus(t.services.database.db, second, ['completed', 'failed']);
      expect(denied.final).toEqual({ output: 'held' });
      const none = await t.call('POST', `/api/v1/executions/${second}/approve/`, t.admin.key);
      expect(none.statusCode).toBe(404);
    } finally {
      await t.close();
      await database.drop();
    }
  });
});
