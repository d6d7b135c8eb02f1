/**
 * A webhook caller that waits for the answer lets the run write its execution row late
 * (start-execution.ts `deferWrite`): a run of pure logic nodes is written once, in its finish
 * transaction; a long one after STORE_AFTER_MS; one that pauses before the pause.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_AFTER_MS } from '../../src/engine/execution-run.js';
import { mayWatchChannel } from '../../src/realtime/channel-access.js';
import { workflowChannel } from '../../src/realtime/events.js';
import { nodeRows, seedWorkflow, waitForStatus } from '../helpers/seed-workflow.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { dbKinds } from '../helpers/test-database.js';

describe.each(dbKinds())('deferred execution write on %s', (kind) => {
  let t: TestApp;
  let owner: Awaited<ReturnType<TestApp['makeUser']>>;
  beforeAll(async () => {
    t = await createTestApp(kind, {}, undefined, { engine: true });
    owner = await t.makeUser();
    const db = t.services.database.db;
    const hook = (extra: Record<string, unknown> = {}) => ({
      id: 'in',
      type: 'trigger_webhook',
      extra: { auth: 'header', secret: 'deferred-secret', response_mode: 'wait', ...extra },
    });
    await seedWorkflow(db, t.admin.id, {
      slug: 'pure',
      nodes: [hook(), { id: 'echo', type: 'reply_chat', extra: { message: 'got {{ input.n }}' } }],
      edges: [{ from: 'in', to: 'echo' }],
    });
    // Pure but slow: the code node busy-waits, so the run outlives STORE_AFTER_MS.
    await seedWorkflow(db, t.admin.id, {
      slug: 'slow',
      nodes: [
        hook({ wait_timeout_seconds: 1 }),
        {
          id: 'spin',
          type: 'code',
          extra: {
            code: 'const end = Date.now() + 1500; while (Date.now() < end) {} return { done: true };',
          },
        },
      ],
      edges: [{ from: 'in', to: 'spin' }],
    });
    // The same, owned by a normal user, for the ownership-checked lookups.
    await seedWorkflow(db, owner.id, {
      slug: 'slow-owned',
      nodes: [
        hook({ wait_timeout_seconds: 5 }),
        {
          id: 'spin',
          type: 'code',
          extra: {
            code: 'const end = Date.now() + 3000; while (Date.now() < end) {} return { done: true };',
          },
        },
      ],
      edges: [{ from: 'in', to: 'spin' }],
    });
    await seedWorkflow(db, t.admin.id, {
      slug: 'broken',
      nodes: [hook(), { id: 'boom', type: 'code', extra: { code: "throw new Error('nope')" } }],
      edges: [{ from: 'in', to: 'boom' }],
    });
    await seedWorkflow(db, t.admin.id, {
      slug: 'answer-at-once',
      nodes: [hook({ response_mode: 'async' }), { id: 'echo', type: 'reply_chat', extra: { message: 'hi' } }],
      edges: [{ from: 'in', to: 'echo' }],
    });
    await seedWorkflow(db, t.admin.id, {
      slug: 'ask',
      nodes: [
        hook({ wait_timeout_seconds: 1 }),
        { id: 'ok', type: 'human_confirmation', extra: { prompt: 'Go?' } },
        { id: 'done', type: 'reply_chat', extra: { message: 'went' } },
      ],
      edges: [
        { from: 'in', to: 'ok' },
        { from: 'ok', to: 'done' },
      ],
    });
  });
  afterAll(async () => t?.close());

  const post = (slug: string, body: unknown = { n: 1 }) =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1/webhooks/${slug}`,
      payload: JSON.stringify(body),
      headers: { 'content-type': 'application/json', 'x-pipelit-secret': 'deferred-secret' },
    });

  /** Resolves with the execution id when the workflow's next run announces its start. */
  async function nextStart(slug: string): Promise<{ id: Promise<string>; off: () => Promise<void> }> {
    let resolve!: (id: string) => void;
    const id = new Promise<string>((r) => {
      resolve = r;
    });
    const off = await t.services.bus.subscribe(workflowChannel(slug), (_c, message) => {
      if (message.type === 'execution_started') resolve(String(message.execution_id));
    });
    return { id, off };
  }

  const rowOf = (id: string) =>
    t.services.database.db
      .selectFrom('executions')
      .select(['status', 'final_output', 'error_message', 'completed_at', 'deadline_at', 'lease_owner'])
      .where('execution_id', '=', id)
      .executeTakeFirst();

  it('writes a pure run once, at its end, with its node rows and deadline', async () => {
    const res = await post('pure', { n: 5 });
    expect(res.statusCode, res.body).toBe(200);
    const { execution_id: id, output } = res.json();
    expect(output).toEqual({ output: 'got 5' });
    const row = await rowOf(id);
    expect(row).toMatchObject({ status: 'completed', lease_owner: null, error_message: null });
    expect(JSON.parse(String(row?.final_output))).toEqual({ output: 'got 5' });
    expect(row?.deadline_at).toBeTruthy();
    expect(row?.completed_at).toBeTruthy();
    expect((await nodeRows(t.services.database.db, id)).echo).toMatchObject({ status: 'success' });
    const detail = await t.call('GET', `/api/v1/executions/${id}/`, t.admin.key);
    expect(detail.statusCode, detail.body).toBe(200);
  });

  it('writes a pure run that fails once, failed, with the failing node', async () => {
    const res = await post('broken');
    expect(res.json()).toMatchObject({ status: 'failed' });
    const id = res.json().execution_id as string;
    expect(await rowOf(id)).toMatchObject({ status: 'failed', lease_owner: null });
    expect((await rowOf(id))?.error_message).toMatch(/nope/);
    expect((await nodeRows(t.services.database.db, id)).boom).toMatchObject({ status: 'failed' });
  });

  it('writes a long pure run after STORE_AFTER_MS, so a timed-out caller can poll its id', async () => {
    const start = await nextStart('slow');
    const answer = post('slow');
    const id = await start.id;
    await start.off();
    // Not written at its start…
    expect(await rowOf(id)).toBeUndefined();
    // …but while it still runs (1.5 s), once STORE_AFTER_MS has passed.
    await new Promise((r) => setTimeout(r, STORE_AFTER_MS));
    let row = await rowOf(id);
    for (let i = 0; i < 40 && !row; i++) {
      await new Promise((r) => setTimeout(r, 25));
      row = await rowOf(id);
    }
    expect(row).toMatchObject({ status: 'running' });
    const res = await answer;
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toMatchObject({ status: 'accepted', execution_id: id });
    const polled = await t.call('GET', `/api/v1/executions/${id}/`, t.admin.key);
    expect(polled.statusCode, polled.body).toBe(200);
    await waitForStatus(t.services.database.db, id, ['completed']);
  });

  it('writes the row before a pause, whose pending task refers to it', async () => {
    const res = await post('ask');
    expect(res.statusCode, res.body).toBe(202);
    const id = res.json().execution_id as string;
    await waitForStatus(t.services.database.db, id, ['interrupted']);
    const tasks = await t.services.database.db
      .selectFrom('pending_tasks')
      .select(['node_id'])
      .where('execution_id', '=', id)
      .execute();
    expect(tasks).toEqual([{ node_id: 'ok' }]);
  });

  it('writes the row before answering when the caller does not wait', async () => {
    const start = await nextStart('answer-at-once');
    const res = await post('answer-at-once');
    expect(res.statusCode, res.body).toBe(202);
    // The execution id handed out is already in the database, whatever the run has done since.
    expect(await rowOf(res.json().execution_id)).toBeTruthy();
    expect(await start.id).toBe(res.json().execution_id);
    await start.off();
  });

  it('answers for a run not written yet: status, channel access and cancel, not 404', async () => {
    const start = await nextStart('slow-owned');
    const startedAt = Date.now();
    const answer = post('slow-owned');
    const id = await start.id;
    await start.off();
    expect(await rowOf(id)).toBeUndefined();
    // Someone else still gets 404, and the lookup does not reveal the run.
    const other = await t.makeUser();
    const foreign = await t.call('GET', `/api/v1/executions/${id}/status/`, other.key);
    expect(foreign.statusCode, foreign.body).toBe(404);
    expect(
      await mayWatchChannel(t.services.database.db, { id: other.id, role: 'normal' }, `execution:${id}`),
    ).toEqual({ ok: false, detail: 'Channel not found or not allowed.' });
    // The owner may watch it and read its status before STORE_AFTER_MS would have written it.
    expect(
      await mayWatchChannel(t.services.database.db, { id: owner.id, role: 'normal' }, `execution:${id}`),
    ).toEqual({ ok: true });
    const status = await t.call('GET', `/api/v1/executions/${id}/status/`, owner.key);
    expect(status.statusCode, status.body).toBe(200);
    expect(status.json()).toMatchObject({ execution_id: id, status: 'running', workflow: 'slow-owned' });
    const cancel = await t.call('POST', `/api/v1/executions/${id}/cancel/`, owner.key);
    expect(cancel.statusCode, cancel.body).toBe(200);
    expect(cancel.json()).toMatchObject({ execution_id: id, status: 'cancelled' });
    // The running code node is aborted: the caller hears long before the 3 s busy-wait would end.
    const res = await answer;
    expect(Date.now() - startedAt).toBeLessThan(2500);
    expect(res.json()).toMatchObject({ execution_id: id, status: 'cancelled' });
    expect(await rowOf(id)).toMatchObject({ status: 'cancelled', lease_owner: null });
  });
});
