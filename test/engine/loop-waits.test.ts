/**
 * A loop body may wait like the main graph does: for a person (a confirmation per item), a long
 * timer, or child executions. The loop records where it stopped, the execution suspends, and it
 * resumes at that iteration — after a restart too — with results in item order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeRows, seedWorkflow, waitForStatus } from '../helpers/seed-workflow.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { createTestDatabase, dbKinds } from '../helpers/test-database.js';

type Db = TestApp['services']['database']['db'];

const executionRow = (db: Db, id: string) =>
  db.selectFrom('executions').selectAll().where('execution_id', '=', id).executeTakeFirstOrThrow();

/** Waits until the execution has released its lease in `status` (suspended, not just between nodes). */
async function waitSuspended(db: Db, id: string, status: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = await executionRow(db, id);
    if (row.status === status && row.lease_owner === null) return row;
    if (Date.now() > deadline) throw new Error(`execution ${id} is ${row.status}, lease ${row.lease_owner}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe.each(dbKinds())('loop bodies that wait, on %s', (kind) => {
  it('asks a person once per item, across a restart, and keeps the results in order', async () => {
    const database = await createTestDatabase(kind);
    let t = await createTestApp(kind, {}, undefined, { engine: true, database, keepDatabase: true });
    try {
      await seedWorkflow(t.services.database.db, t.admin.id, {
        slug: 'approve-each',
        nodes: [
          { id: 'start', type: 'trigger_manual' },
          { id: 'each', type: 'loop', extra: { source_node: 'start', field: 'payload.items' } },
          { id: 'ask', type: 'human_confirmation', extra: { prompt: 'Send to {{ loop.item }}?' } },
          { id: 'sent', type: 'reply_chat', extra: { message: 'sent {{ loop.item }}' } },
          { id: 'held', type: 'reply_chat', extra: { message: 'held {{ loop.item }}' } },
          { id: 'done', type: 'merge', extra: { source_nodes: ['each'] } },
        ],
        edges: [
          { from: 'start', to: 'each' },
          { from: 'each', to: 'ask', label: 'loop_body' },
          { from: 'ask', to: 'sent', when: 'confirmed' },
          { from: 'ask', to: 'held', when: 'cancelled' },
          { from: 'sent', to: 'each', label: 'loop_return' },
          { from: 'held', to: 'each', label: 'loop_return' },
          { from: 'each', to: 'done' },
        ],
      });
      const start = await t.call('POST', '/api/v1/workflows/approve-each/execute/', t.admin.key, {
        payload: { items: ['ann', 'bob', 'cy'] },
      });
      expect(start.statusCode, start.body).toBe(200);
      const id = start.json().execution_id as string;

      const answer = async (action: 'approve' | 'deny', item: string, index: number) => {
        await waitSuspended(t.services.database.db, id, 'interrupted');
        const detail = (await t.call('GET', `/api/v1/executions/${id}/`, t.admin.key)).json();
        // One question at a time, for the iteration it belongs to, with its prompt rendered.
        expect(detail.pending_tasks).toEqual([
          expect.objectContaining({ node_id: 'ask', iteration: `each:${index}`, prompt: `Send to ${item}?` }),
        ]);
        const res = await t.call('POST', `/api/v1/executions/${id}/${action}/`, t.admin.key);
        expect(res.statusCode, res.body).toBe(200);
        // The answer is taken: the next question, if any, is a new task.
        await eventuallyNoTask(t, id, detail.pending_tasks[0].task_id);
      };

      await answer('approve', 'ann', 0);
      // The server goes away while the second item waits, and comes back.
      await waitSuspended(t.services.database.db, id, 'interrupted');
      await t.close();
      t = await createTestApp(kind, {}, undefined, { engine: true, database, keepDatabase: true });
      await answer('deny', 'bob', 1);
      await answer('approve', 'cy', 2);

      const row = await waitForStatus(t.services.database.db, id, ['completed', 'failed']);
      expect(row.status, row.error_message ?? '').toBe('completed');
      const nodes = await nodeRows(t.services.database.db, id);
      expect(nodes.each.out.results).toEqual([
        { sent: { output: 'sent ann' }, held: null },
        { sent: null, held: { output: 'held bob' } },
        { sent: { output: 'sent cy' }, held: null },
      ]);
      expect(nodes['held@each:0'].status).toBe('skipped');
      expect(nodes['ask@each:1'].out).toMatchObject({ confirmed: false });
      expect(nodes.done.status).toBe('success');
    } finally {
      await t.close();
      await database.drop();
    }
  }, 60_000);

  it('suspends for a long wait inside the body and resumes after a restart', async () => {
    const database = await createTestDatabase(kind);
    let t = await createTestApp(kind, {}, undefined, { engine: true, database, keepDatabase: true });
    try {
      await seedWorkflow(t.services.database.db, t.admin.id, {
        slug: 'slow-each',
        nodes: [
          { id: 'start', type: 'trigger_manual' },
          { id: 'each', type: 'loop', extra: { source_node: 'start', field: 'payload.items' } },
          { id: 'nap', type: 'wait', extra: { duration: 6 } },
          { id: 'say', type: 'reply_chat', extra: { message: 'woke for {{ loop.item }}' } },
        ],
        edges: [
          { from: 'start', to: 'each' },
          { from: 'each', to: 'nap', label: 'loop_body' },
          { from: 'nap', to: 'say' },
          { from: 'say', to: 'each', label: 'loop_return' },
        ],
      });
      const id = (
        await t.call('POST', '/api/v1/workflows/slow-each/execute/', t.admin.key, {
          payload: { items: ['a', 'b'] },
        })
      ).json().execution_id as string;
      // A 6 s wait is longer than the engine sleeps in process: the execution suspends with a wake time.
      const suspended = await waitSuspended(t.services.database.db, id, 'running');
      expect(suspended.wake_at).toBeTruthy();
      const waiting = await nodeRows(t.services.database.db, id);
      expect(waiting.each).toMatchObject({ status: 'waiting' });
      await t.close();
      t = await createTestApp(kind, {}, undefined, { engine: true, database, keepDatabase: true });
      const row = await waitForStatus(t.services.database.db, id, ['completed', 'failed'], 30_000);
      expect(row.status, row.error_message ?? '').toBe('completed');
      const nodes = await nodeRows(t.services.database.db, id);
      expect(nodes.each.out.results).toEqual([
        { say: { output: 'woke for a' } },
        { say: { output: 'woke for b' } },
      ]);
      expect(
        Date.parse(nodes['say@each:1'].started_at!) - Date.parse(nodes['nap@each:0'].started_at!),
      ).toBeGreaterThanOrEqual(11_900);
    } finally {
      await t.close();
      await database.drop();
    }
  }, 60_000);

  describe('with one server', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp(kind, {}, undefined, { engine: true });
      await seedWorkflow(t.services.database.db, t.admin.id, {
        slug: 'shout-child',
        nodes: [
          { id: 'called', type: 'trigger_workflow' },
          { id: 'say', type: 'reply_chat', extra: { message: '{{ trigger.name }}!' } },
        ],
        edges: [{ from: 'called', to: 'say' }],
      });
    });
    afterAll(async () => t?.close());

    it('runs a subworkflow per item and collects the children in item order', async () => {
      await seedWorkflow(t.services.database.db, t.admin.id, {
        slug: 'call-each',
        nodes: [
          { id: 'start', type: 'trigger_manual' },
          { id: 'each', type: 'loop', extra: { source_node: 'start', field: 'payload.items' } },
          {
            id: 'sub',
            type: 'workflow',
            extra: { target_workflow: 'shout-child', input_mapping: { name: 'loop.item' } },
          },
        ],
        edges: [
          { from: 'start', to: 'each' },
          { from: 'each', to: 'sub', label: 'loop_body' },
          { from: 'sub', to: 'each', label: 'loop_return' },
        ],
      });
      const id = (
        await t.call('POST', '/api/v1/workflows/call-each/execute/', t.admin.key, {
          payload: { items: ['x', 'y', 'z'] },
        })
      ).json().execution_id as string;
      const row = await waitForStatus(t.services.database.db, id, ['completed', 'failed']);
      expect(row.status, row.error_message ?? '').toBe('completed');
      const nodes = await nodeRows(t.services.database.db, id);
      expect(nodes.each.out.results).toEqual(
        ['x!', 'y!', 'z!'].map((output) => ({ sub: { output: { output } } })),
      );
    });

    it('cancels the execution when a breakpoint inside the body is denied', async () => {
      await seedWorkflow(t.services.database.db, t.admin.id, {
        slug: 'breakpoint-each',
        nodes: [
          { id: 'start', type: 'trigger_manual' },
          { id: 'each', type: 'loop', extra: { source_node: 'start', field: 'payload.items' } },
          {
            id: 'send',
            type: 'reply_chat',
            extra: { message: 'sent {{ loop.item }}' },
            interruptBefore: true,
          },
        ],
        edges: [
          { from: 'start', to: 'each' },
          { from: 'each', to: 'send', label: 'loop_body' },
          { from: 'send', to: 'each', label: 'loop_return' },
        ],
      });
      const id = (
        await t.call('POST', '/api/v1/workflows/breakpoint-each/execute/', t.admin.key, {
          payload: { items: ['a', 'b'] },
        })
      ).json().execution_id as string;
      await waitSuspended(t.services.database.db, id, 'interrupted');
      expect((await t.call('POST', `/api/v1/executions/${id}/approve/`, t.admin.key)).statusCode).toBe(200);
      // The second item stops at the breakpoint too; denying it ends the whole execution.
      for (let i = 0; i < 200; i++) {
        const tasks = (await t.call('GET', `/api/v1/executions/${id}/`, t.admin.key)).json().pending_tasks;
        if (tasks.length && tasks[0].iteration === 'each:1') break;
        await new Promise((r) => setTimeout(r, 25));
      }
      expect((await t.call('POST', `/api/v1/executions/${id}/deny/`, t.admin.key)).statusCode).toBe(200);
      const row = await waitForStatus(t.services.database.db, id, ['completed', 'failed', 'cancelled']);
      expect(row.status, row.error_message ?? '').toBe('cancelled');
      const nodes = await nodeRows(t.services.database.db, id);
      expect(nodes['send@each:0']).toMatchObject({ status: 'success' });
      expect(nodes['send@each:1']).toMatchObject({ status: 'failed', error_code: 'denied' });
    });

    it('takes an answer that arrives while another branch still runs', async () => {
      // The confirmation pauses at once; the code branch keeps the run (and its lease) busy for a
      // while, so the approval lands while the run is still going and must not be lost.
      await seedWorkflow(t.services.database.db, t.admin.id, {
        slug: 'ask-while-busy',
        nodes: [
          { id: 'start', type: 'trigger_manual' },
          { id: 'ask', type: 'human_confirmation', extra: { prompt: 'Go?' } },
          {
            id: 'busy',
            type: 'code',
            extra: { code: 'const end = Date.now() + 1500; while (Date.now() < end) {} return 1;' },
          },
          { id: 'went', type: 'reply_chat', extra: { message: 'went' } },
        ],
        edges: [
          { from: 'start', to: 'ask' },
          { from: 'start', to: 'busy' },
          { from: 'ask', to: 'went', when: 'confirmed' },
        ],
      });
      const id = (await t.call('POST', '/api/v1/workflows/ask-while-busy/execute/', t.admin.key, {})).json()
        .execution_id as string;
      let tasks: unknown[] = [];
      for (let i = 0; i < 200 && tasks.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 10));
        tasks = (await t.call('GET', `/api/v1/executions/${id}/`, t.admin.key)).json().pending_tasks;
      }
      const during = await executionRow(t.services.database.db, id);
      expect(during.lease_owner).not.toBeNull(); // the busy branch still holds the run
      const res = await t.call('POST', `/api/v1/executions/${id}/approve/`, t.admin.key);
      expect(res.statusCode, res.body).toBe(200);
      // The run keeps its lease (no second run can start beside it) …
      expect((await executionRow(t.services.database.db, id)).lease_owner).toBe(during.lease_owner);
      // … and the answer is not lost when it suspends: the queued job resumes it.
      const row = await waitForStatus(t.services.database.db, id, ['completed', 'failed']);
      expect(row.status, row.error_message ?? '').toBe('completed');
      expect(row.final).toEqual({ output: 'went' });
    });
  });
});

async function eventuallyNoTask(t: TestApp, id: string, taskId: string) {
  for (let i = 0; i < 400; i++) {
    const tasks = (await t.call('GET', `/api/v1/executions/${id}/`, t.admin.key)).json()
      .pending_tasks as Array<{
      task_id: string;
    }>;
    if (!tasks.some((x) => x.task_id === taskId)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`task ${taskId} is still pending`);
}
