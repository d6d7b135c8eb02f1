/**
 * Durable waits across a restart, breakpoints that resume without re-running, retry policy, and
 * trigger-scoped topology.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineNode } from '../../src/nodes/define-node.js';
import { registerNodeType } from '../../src/nodes/registry.js';
import { nodeRows, seedWorkflow, waitForStatus } from '../helpers/seed-workflow.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { createTestDatabase } from '../helpers/test-database.js';

describe('durable wait', () => {
  it('survives a restart of the process running it', async () => {
    const database = await createTestDatabase('sqlite');
    let t = await createTestApp('sqlite', {}, undefined, { engine: true, database, keepDatabase: true });
    try {
      await seedWorkflow(t.services.database.db, t.admin.id, {
        slug: 'nap',
        nodes: [
          { id: 'start', type: 'trigger_manual' },
          { id: 'nap', type: 'wait', extra: { duration: 6 } },
          { id: 'up', type: 'reply_chat', extra: { message: 'awake' } },
        ],
        edges: [
          { from: 'start', to: 'nap' },
          { from: 'nap', to: 'up' },
        ],
      });
      const id = (await t.call('POST', '/api/v1/workflows/nap/execute/', t.admin.key, {})).json()
        .execution_id;
      for (;;) {
        const row = await t.services.database.db
          .selectFrom('executions')
          .selectAll()
          .where('execution_id', '=', id)
          .executeTakeFirstOrThrow();
        if (row.wake_at && row.lease_owner === null) break;
        await new Promise((r) => setTimeout(r, 25));
      }
      await t.close();
      t = await createTestApp('sqlite', {}, undefined, { engine: true, database, keepDatabase: true });
      const row = await waitForStatus(t.services.database.db, id, ['completed', 'failed'], 20_000);
      expect(row.final).toEqual({ output: 'awake' });
      const nodes = await nodeRows(t.services.database.db, id);
      expect(Date.parse(nodes.up.started_at!) - Date.parse(nodes.nap.started_at!)).toBeGreaterThanOrEqual(
        5900,
      );
    } finally {
      await t.close();
      await database.drop();
    }
  }, 40_000);
});

describe('breakpoints, retries and trigger scope', () => {
  let t: TestApp;
  const unregister: Array<() => void> = [];
  let attempts = 0;
  beforeAll(async () => {
    t = await createTestApp('sqlite', {}, undefined, { engine: true });
    unregister.push(
      registerNodeType(
        defineNode({
          type: 'test_flaky',
          displayName: 'Flaky',
          description: 'fails on its first attempt',
          category: 'logic',
          inputs: [],
          outputs: [{ name: 'attempt', data_type: 'number' }],
          config: z.looseObject({}),
          flags: { executable: true },
          palette: { label: 'Flaky', color: '#000' },
          async run() {
            attempts += 1;
            if (attempts % 2 === 1) throw new Error('transient');
            return { outputs: { attempt: attempts } };
          },
        }),
      ),
    );
  });
  afterAll(async () => {
    for (const u of unregister) u();
    await t?.close();
  });

  it('pauses after a node with interrupt_after and resumes without running it again', async () => {
    await seedWorkflow(t.services.database.db, t.admin.id, {
      slug: 'after',
      nodes: [
        { id: 'start', type: 'trigger_manual' },
        { id: 'calc', type: 'code', extra: { code: 'return Date.now();' }, interruptAfter: true },
        { id: 'next', type: 'reply_chat', extra: { message: '{{ calc.output }}' } },
      ],
      edges: [
        { from: 'start', to: 'calc' },
        { from: 'calc', to: 'next' },
      ],
    });
    const id = (await t.call('POST', '/api/v1/workflows/after/execute/', t.admin.key, {})).json()
      .execution_id;
    await waitForStatus(t.services.database.db, id, ['interrupted']);
    const paused = await nodeRows(t.services.database.db, id);
    expect(paused.calc.status).toBe('waiting');
    await new Promise((r) => setTimeout(r, 30));
    expect((await t.call('POST', `/api/v1/executions/${id}/approve/`, t.admin.key)).statusCode).toBe(200);
    const row = await waitForStatus(t.services.database.db, id, ['completed', 'failed']);
    const nodes = await nodeRows(t.services.database.db, id);
    expect(nodes.calc.status).toBe('success');
    expect(nodes.calc.started_at).toBe(paused.calc.started_at);
    // The output computed before the pause is the one that flows on: the node did not run again.
    expect(row.final).toEqual({ output: String(JSON.parse(paused.calc.metadata!).outputs.output) });
  });

  it('retries only when the node asks for it', async () => {
    await seedWorkflow(t.services.database.db, t.admin.id, {
      slug: 'flaky-once',
      nodes: [
        { id: 'start', type: 'trigger_manual' },
        { id: 'f', type: 'test_flaky' },
      ],
      edges: [{ from: 'start', to: 'f' }],
    });
    await seedWorkflow(t.services.database.db, t.admin.id, {
      slug: 'flaky-retry',
      nodes: [
        { id: 'start', type: 'trigger_manual' },
        { id: 'f', type: 'test_flaky', config: { max_retries: 2 } },
      ],
      edges: [{ from: 'start', to: 'f' }],
    });
    attempts = 0;
    const once = (await t.call('POST', '/api/v1/workflows/flaky-once/execute/', t.admin.key, {})).json()
      .execution_id;
    const failed = await waitForStatus(t.services.database.db, once, ['completed', 'failed']);
    expect(failed.status).toBe('failed');
    expect(failed.error_message).toBe('Node f: transient');

    attempts = 0;
    const retried = (await t.call('POST', '/api/v1/workflows/flaky-retry/execute/', t.admin.key, {})).json()
      .execution_id;
    const ok = await waitForStatus(t.services.database.db, retried, ['completed', 'failed']);
    expect(ok.status).toBe('completed');
    const nodes = await nodeRows(t.services.database.db, retried);
    expect(nodes.f.attempts).toBe(2);
    expect(nodes.f.out).toEqual({ attempt: 2 });
  });

  it('runs only the branch of the trigger that fired', async () => {
    await seedWorkflow(t.services.database.db, t.admin.id, {
      slug: 'two-triggers',
      nodes: [
        { id: 'button_a', type: 'trigger_manual' },
        { id: 'button_b', type: 'trigger_manual' },
        { id: 'only_a', type: 'reply_chat', extra: { message: 'a' } },
        { id: 'only_b', type: 'reply_chat', extra: { message: 'b' } },
      ],
      edges: [
        { from: 'button_a', to: 'only_a' },
        { from: 'button_b', to: 'only_b' },
      ],
    });
    const id = (
      await t.call('POST', '/api/v1/workflows/two-triggers/execute/', t.admin.key, {
        trigger_node_id: 'button_b',
      })
    ).json().execution_id;
    const row = await waitForStatus(t.services.database.db, id, ['completed', 'failed']);
    expect(row.final).toEqual({ output: 'b' });
    const nodes = await nodeRows(t.services.database.db, id);
    expect(Object.keys(nodes)).toEqual(['only_b']);
  });
});

describe('reaper and warnings', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite', { ZOMBIE_EXECUTION_THRESHOLD_SECONDS: '1' }, undefined, {
      engine: true,
    });
  });
  afterAll(async () => t?.close());

  it('never takes a healthy long-running execution for a lost one', async () => {
    await seedWorkflow(t.services.database.db, t.admin.id, {
      slug: 'long-and-healthy',
      nodes: [
        { id: 'start', type: 'trigger_manual' },
        {
          id: 'busy',
          type: 'code',
          extra: {
            code: 'const end = Date.now() + 3000; while (Date.now() < end) {} return "ok";',
            timeout_seconds: 20,
          },
        },
      ],
      edges: [{ from: 'start', to: 'busy' }],
    });
    const id = (await t.call('POST', '/api/v1/workflows/long-and-healthy/execute/', t.admin.key, {})).json()
      .execution_id;
    const row = await waitForStatus(t.services.database.db, id, ['completed', 'failed'], 15_000);
    expect(row.status).toBe('completed');
    expect(row.recoveries).toBe(0);
  });

  it("records a template's missing reference in the node's log", async () => {
    await seedWorkflow(t.services.database.db, t.admin.id, {
      slug: 'missing-ref',
      nodes: [
        { id: 'start', type: 'trigger_manual' },
        { id: 'say', type: 'reply_chat', extra: { message: 'hello {{ nobody.name }}!' } },
      ],
      edges: [{ from: 'start', to: 'say' }],
    });
    const id = (await t.call('POST', '/api/v1/workflows/missing-ref/execute/', t.admin.key, {})).json()
      .execution_id;
    await waitForStatus(t.services.database.db, id, ['completed']);
    const detail = (await t.call('GET', `/api/v1/executions/${id}/`, t.admin.key)).json();
    const log = detail.logs.find((l: any) => l.node_id === 'say');
    expect(log.metadata.warnings.join(' ')).toContain('nobody');
    expect(log.output).toEqual({ output: 'hello !' });
  });
});
