import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedWorkflow, waitForStatus } from '../helpers/seed-workflow.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { dbKinds } from '../helpers/test-database.js';

describe.each(dbKinds())('webhook trigger on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, { BODY_LIMIT_BYTES: '4096' }, undefined, { engine: true });
    const db = t.services.database.db;
    await seedWorkflow(db, t.admin.id, {
      slug: 'hook',
      nodes: [
        { id: 'hook_in', type: 'trigger_webhook', extra: { response_mode: 'wait' } },
        { id: 'shape', type: 'code', extra: { code: 'return { total: input.a + trigger.payload.b };' } },
        {
          id: 'size',
          type: 'switch',
          extra: {
            rules: [{ id: 'big', field: 'shape.output.total', operator: 'gt', value: 10 }],
            enable_fallback: true,
          },
        },
        { id: 'big_reply', type: 'reply_chat', extra: { message: 'big {{ shape.output.total }}' } },
        { id: 'small_reply', type: 'reply_chat', extra: { message: 'small {{ input.a }}' } },
      ],
      edges: [
        { from: 'hook_in', to: 'shape' },
        { from: 'shape', to: 'size' },
        { from: 'size', to: 'big_reply', when: 'big' },
        { from: 'size', to: 'small_reply', when: '__other__' },
      ],
    });
    await seedWorkflow(db, t.admin.id, {
      slug: 'secret-hook',
      nodes: [
        { id: 'in', type: 'trigger_webhook', extra: { auth: 'header', secret: 's3cret-value' } },
        { id: 'echo', type: 'reply_chat', extra: { message: '{{ input.msg }}' } },
      ],
      edges: [{ from: 'in', to: 'echo' }],
    });
    await seedWorkflow(db, t.admin.id, {
      slug: 'signed-hook',
      nodes: [
        {
          id: 'in',
          type: 'trigger_webhook',
          extra: { auth: 'hmac', secret: 'hmac-key', response_mode: 'wait' },
        },
        { id: 'echo', type: 'reply_chat', extra: { message: 'signed {{ input.msg }}' } },
      ],
      edges: [{ from: 'in', to: 'echo' }],
    });
  });
  afterAll(async () => t?.close());

  const post = (url: string, body: string, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: 'POST',
      url,
      payload: body,
      headers: { 'content-type': 'application/json', ...headers },
    });

  it('runs the workflow and, in wait mode, answers with the final output', async () => {
    const res = await post('/api/v1/webhooks/hook', JSON.stringify({ a: 7, b: 8 }), {
      authorization: `Bearer ${t.admin.key}`,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'completed', output: { output: 'big 15' } });
    const small = await post(
      '/api/v1/webhooks/hook/hook_in?api_key=' + t.admin.key,
      JSON.stringify({ a: 1, b: 2 }),
    );
    expect(small.json().output).toEqual({ output: 'small 1' });
  });

  it('answers 202 with the execution id in async mode, checking the shared secret', async () => {
    const ok = await post('/api/v1/webhooks/secret-hook', JSON.stringify({ msg: 'hi' }), {
      'x-pipelit-secret': 's3cret-value',
    });
    expect(ok.statusCode).toBe(202);
    expect(ok.json()).toMatchObject({ status: 'accepted', message: expect.any(String) });
    const row = await waitForStatus(t.services.database.db, ok.json().execution_id, ['completed']);
    expect(row.final).toEqual({ output: 'hi' });
    const payload = JSON.parse(row.trigger_payload);
    expect(JSON.stringify(payload)).not.toContain('s3cret-value');

    const wrong = await post('/api/v1/webhooks/secret-hook', '{}', { 'x-pipelit-secret': 'nope' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toEqual({ detail: 'Invalid webhook secret.' });
  });

  it('checks HMAC signatures of the raw body', async () => {
    const body = JSON.stringify({ msg: 'yo' });
    const sig = createHmac('sha256', 'hmac-key').update(body).digest('hex');
    const ok = await post('/api/v1/webhooks/signed-hook', body, { 'x-pipelit-signature': `sha256=${sig}` });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().output).toEqual({ output: 'signed yo' });
    const bad = await post('/api/v1/webhooks/signed-hook', body, { 'x-pipelit-signature': 'sha256=00' });
    expect(bad.statusCode).toBe(401);
  });

  it('refuses malformed JSON, unknown hooks, bad keys and oversized bodies', async () => {
    const auth = { authorization: `Bearer ${t.admin.key}` };
    const malformed = await post('/api/v1/webhooks/hook', '{"a":', auth);
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().detail).toMatch(/Malformed JSON body/);
    expect((await post('/api/v1/webhooks/nope', '{}', auth)).statusCode).toBe(404);
    expect((await post('/api/v1/webhooks/hook/not_a_node', '{}', auth)).statusCode).toBe(404);
    expect((await post('/api/v1/webhooks/hook', '{}')).statusCode).toBe(401);
    const other = await t.makeUser();
    expect(
      (await post('/api/v1/webhooks/hook', '{}', { authorization: `Bearer ${other.key}` })).statusCode,
    ).toBe(404);
    const huge = await post('/api/v1/webhooks/hook', JSON.stringify({ a: 'x'.repeat(10_000) }), auth);
    expect(huge.statusCode).toBe(413);
    expect(huge.json()).toEqual({ detail: 'Request body is too large.' });
  });
});

describe.each(dbKinds())('executions API on %s', (kind) => {
  let t: TestApp;
  let executionId: string;
  beforeAll(async () => {
    t = await createTestApp(kind, {}, undefined, { engine: true });
    await seedWorkflow(t.services.database.db, t.admin.id, {
      slug: 'simple',
      nodes: [
        { id: 'start', type: 'trigger_manual' },
        { id: 'say', type: 'reply_chat', extra: { message: 'hi {{ trigger.text }}' } },
      ],
      edges: [{ from: 'start', to: 'say' }],
    });
    executionId = (
      await t.call('POST', '/api/v1/workflows/simple/execute/', t.admin.key, { text: 'x' })
    ).json().execution_id;
    await waitForStatus(t.services.database.db, executionId, ['completed']);
  });
  afterAll(async () => t?.close());

  it('lists, shows, reports status, filters and paginates', async () => {
    const list = (await t.call('GET', '/api/v1/executions/?limit=10&status=completed', t.admin.key)).json();
    expect(list.total).toBeGreaterThanOrEqual(1);
    expect(list.items[0]).toMatchObject({
      execution_id: executionId,
      workflow_slug: 'simple',
      status: 'completed',
    });
    const detail = (await t.call('GET', `/api/v1/executions/${executionId}/`, t.admin.key)).json();
    expect(detail.final_output).toEqual({ output: 'hi x' });
    expect(detail.trigger_payload).toEqual({ text: 'x' });
    expect(detail.logs).toHaveLength(1);
    expect(detail.logs[0]).toMatchObject({ node_id: 'say', status: 'completed', output: { output: 'hi x' } });
    expect(Date.parse(detail.logs[0].timestamp)).not.toBeNaN();
    const status = (await t.call('GET', `/api/v1/executions/${executionId}/status/`, t.admin.key)).json();
    expect(status).toMatchObject({
      workflow: 'simple',
      status: 'completed',
      final_output: { output: 'hi x' },
    });
    const none = (await t.call('GET', '/api/v1/executions/?workflow_slug=nothing', t.admin.key)).json();
    expect(none).toEqual({ items: [], total: 0 });
  });

  it("answers 401 without a key and 404 for another user's execution", async () => {
    const other = await t.makeUser();
    const routes: Array<[string, string]> = [
      ['GET', `/api/v1/executions/${executionId}/`],
      ['GET', `/api/v1/executions/${executionId}/status/`],
      ['POST', `/api/v1/executions/${executionId}/cancel/`],
      ['POST', `/api/v1/executions/${executionId}/approve/`],
      ['POST', `/api/v1/executions/${executionId}/deny/`],
      ['POST', `/api/v1/executions/${executionId}/rerun/`],
      ['DELETE', `/api/v1/executions/${executionId}/`],
      ['POST', '/api/v1/workflows/simple/execute/'],
    ];
    for (const [method, url] of routes) {
      expect((await t.call(method as 'GET', url)).statusCode, `${method} ${url}`).toBe(401);
      const res = await t.call(method as 'GET', url, other.key);
      expect(res.statusCode, `${method} ${url}`).toBe(404);
    }
    expect((await t.call('GET', '/api/v1/executions/', other.key)).json()).toEqual({ items: [], total: 0 });
    await t.call('POST', '/api/v1/executions/batch-delete/', other.key, { execution_ids: [executionId] });
    expect((await t.call('GET', `/api/v1/executions/${executionId}/`, t.admin.key)).statusCode).toBe(200);
  });

  it('re-runs, cancels finished executions as a no-op, and deletes', async () => {
    const rerun = await t.call('POST', `/api/v1/executions/${executionId}/rerun/`, t.admin.key);
    expect(rerun.statusCode).toBe(201);
    const again = await waitForStatus(t.services.database.db, rerun.json().execution_id, ['completed']);
    expect(again.final).toEqual({ output: 'hi x' });
    const cancel = await t.call('POST', `/api/v1/executions/${executionId}/cancel/`, t.admin.key);
    expect(cancel.json().status).toBe('completed');
    expect(
      (await t.call('POST', '/api/v1/executions/batch-delete/', t.admin.key, { execution_ids: [] }))
        .statusCode,
    ).toBe(204);
    const del = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/executions/${executionId}/`,
      headers: { authorization: `Bearer ${t.admin.key}`, 'content-type': 'application/json' },
    });
    expect(del.statusCode).toBe(204);
    expect((await t.call('GET', `/api/v1/executions/${executionId}/`, t.admin.key)).statusCode).toBe(404);
  });
});
