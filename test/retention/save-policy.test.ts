import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromJson } from '../../src/db/values.js';
import { nodeRows, seedWorkflow, waitForStatus } from '../helpers/seed-workflow.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { dbKinds } from '../helpers/test-database.js';

const FIVE_MB = 5 * 1024 * 1024;

describe.each(dbKinds())('stored payloads on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, { BODY_LIMIT_BYTES: String(8 * 1024 * 1024) }, undefined, { engine: true });
    const db = t.services.database.db;
    await seedWorkflow(db, t.admin.id, {
      slug: 'huge',
      nodes: [
        { id: 'hook', type: 'trigger_webhook' },
        // `merge` passes the trigger's whole payload on as its own output (templates cap their output).
        { id: 'echo', type: 'merge', extra: { source_nodes: ['hook'] } },
        {
          id: 'measure',
          type: 'code',
          extra: { code: 'return { length: JSON.stringify(node_outputs.echo).length };' },
        },
      ],
      edges: [
        { from: 'hook', to: 'echo' },
        { from: 'echo', to: 'measure' },
      ],
    });
    for (const slug of ['policy-failures', 'policy-metadata', 'policy-default', 'policy-all']) {
      await seedWorkflow(db, t.admin.id, {
        slug,
        nodes: [
          { id: 'hook', type: 'trigger_webhook' },
          {
            id: 'work',
            type: 'code',
            extra: {
              code: "if (input.fail) throw new Error('asked to fail'); return { doubled: input.n * 2 };",
            },
          },
          {
            id: 'answer',
            type: 'reply_chat',
            extra: { message: 'the doubled value of the input is {{ work.output.doubled }}' },
          },
        ],
        edges: [
          { from: 'hook', to: 'work' },
          { from: 'work', to: 'answer' },
        ],
      });
    }
  });
  afterAll(async () => t?.close());

  const fire = async (slug: string, body: unknown, statuses = ['completed']) => {
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/webhooks/${slug}`,
      payload: JSON.stringify(body),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.admin.key}` },
    });
    expect(res.statusCode, res.body).toBe(202);
    const id = res.json().execution_id as string;
    return { id, row: await waitForStatus(t.services.database.db, id, statuses, 30_000) };
  };

  it('stores a 5 MB node output truncated with its size, while the next node got the full value', async () => {
    const blob = 'b'.repeat(FIVE_MB);
    const { id, row } = await fire('huge', { blob });
    const nodes = await nodeRows(t.services.database.db, id);
    // The next node saw every byte…
    const seen = nodes.measure.out.output.length as number;
    expect(seen).toBeGreaterThan(FIVE_MB);
    // …but the stored copy is a marker with the original size and a short preview.
    expect(nodes.echo.out).toMatchObject({ _truncated: true, original_bytes: seen });
    expect(nodes.echo.out.preview).toMatch(/^\{"merged":\[/);
    expect(nodes.echo.out.preview).toContain('bbbb');
    expect(nodes.echo.out.preview.length).toBeLessThanOrEqual(1024);
    expect(nodes.echo.output!.length).toBeLessThan(2048);
    // Same for the trigger payload and the final output.
    expect(JSON.parse(row.trigger_payload)).toMatchObject({ _truncated: true });
    expect(JSON.parse(row.trigger_payload).original_bytes).toBeGreaterThan(FIVE_MB);
    // No reply node: the final output holds every node's output, so it is capped as well.
    // No reply node: the final output holds every node's output, so it is capped as well.
    expect(row.final).toMatchObject({ _truncated: true });
    expect(row.final_output!.length).toBeLessThan(2048);
    // The API still answers with the marker in place of the payload.
    const detail = await t.call('GET', `/api/v1/executions/${id}/`, t.admin.key);
    expect(detail.statusCode).toBe(200);
    const log = detail.json().logs.find((l: { node_id: string }) => l.node_id === 'echo');
    expect(log.output).toMatchObject({ _truncated: true, original_bytes: expect.any(Number) });
    expect(detail.body.length).toBeLessThan(20_000);
  });

  it('shows and changes the save policy through the workflows API', async () => {
    const got = await t.call('GET', '/api/v1/workflows/policy-default/', t.admin.key);
    expect(got.json().save_policy).toBe('outputs');
    for (const [slug, policy] of [
      ['policy-failures', 'failures'],
      ['policy-metadata', 'metadata'],
      ['policy-all', 'all'],
    ]) {
      const res = await t.call('PATCH', `/api/v1/workflows/${slug}/`, t.admin.key, { save_policy: policy });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().save_policy).toBe(policy);
    }
    const bad = await t.call('PATCH', '/api/v1/workflows/policy-all/', t.admin.key, { save_policy: 'some' });
    expect(bad.statusCode).toBe(422);
    const other = await t.makeUser();
    const theirs = await t.call('PATCH', '/api/v1/workflows/policy-all/', other.key, {
      save_policy: 'metadata',
    });
    expect(theirs.statusCode).toBe(404);
    expect(
      (await t.call('PATCH', '/api/v1/workflows/policy-all/', null, { save_policy: 'all' })).statusCode,
    ).toBe(401);
  });

  it('"failures" keeps no payloads for successful runs but all of them for failed ones', async () => {
    const db = t.services.database.db;
    const ok = await fire('policy-failures', { n: 21 });
    const okNodes = await nodeRows(db, ok.id);
    expect(okNodes.work.status).toBe('success');
    expect(okNodes.work.output).toBeNull();
    expect(okNodes.answer.output).toBeNull();
    expect(okNodes.answer.metadata).toBeNull();
    expect(okNodes.work.duration_ms).not.toBeNull();
    expect(ok.row.trigger_payload).toBe('{}');
    // The result stays for whoever asks for it after the run.
    expect(ok.row.final).toEqual({ output: 'the doubled value of the input is 42' });

    const bad = await fire('policy-failures', { n: 1, fail: true }, ['failed']);
    const badNodes = await nodeRows(db, bad.id);
    expect(badNodes.work.status).toBe('failed');
    expect(badNodes.work.error).toMatch(/asked to fail/);
    expect(fromJson<{ payload: unknown }>(bad.row.trigger_payload, { payload: null }).payload).toEqual({
      n: 1,
      fail: true,
    });

    const detail = await t.call('GET', `/api/v1/executions/${ok.id}/`, t.admin.key);
    expect(detail.statusCode).toBe(200);
    expect(detail.json().logs.map((l: { status: string; output: unknown }) => [l.status, l.output])).toEqual([
      ['completed', null],
      ['completed', null],
    ]);
  });

  it('"metadata" never keeps payloads; the default keeps outputs; "all" keeps everything', async () => {
    const db = t.services.database.db;
    const bad = await fire('policy-metadata', { n: 1, fail: true }, ['failed']);
    expect(bad.row.trigger_payload).toBe('{}');
    expect((await nodeRows(db, bad.id)).work.error).toMatch(/asked to fail/);

    const plain = await fire('policy-default', { n: 2 });
    const plainNodes = await nodeRows(db, plain.id);
    expect(plainNodes.work.out).toEqual({ output: { doubled: 4 } });
    expect(plainNodes.work.input).toBeNull();
    // The reply's explicit final output is a reference to its own output, not a second copy.
    expect(fromJson(plainNodes.answer.metadata, {})).toEqual({ final_output_ref: 'output' });

    // A failed node keeps what it was given (here the webhook's payload), whatever the policy but
    // `metadata`.
    const failedDefault = await fire('policy-default', { n: 5, fail: true }, ['failed']);
    const failedNodes = await nodeRows(db, failedDefault.id);
    expect(fromJson<any>(failedNodes.work.input, null)).toMatchObject({
      hook: { payload: { n: 5, fail: true } },
    });
    expect((await nodeRows(db, bad.id)).work.input).toBeNull();

    const all = await fire('policy-all', { n: 3 });
    const allNodes = await nodeRows(db, all.id);
    expect(allNodes.work.out).toEqual({ output: { doubled: 6 } });
    // "all" also keeps every node's input: the outputs wired into it.
    expect(fromJson<any>(allNodes.work.input, null)).toMatchObject({ hook: { payload: { n: 3 } } });
    expect(fromJson<any>(allNodes.answer.input, null)).toEqual({ work: { output: { doubled: 6 } } });
    const logs = (await t.call('GET', `/api/v1/executions/${all.id}/`, t.admin.key)).json().logs;
    expect(logs.find((l: { node_id: string }) => l.node_id === 'answer').input).toEqual({
      work: { output: { doubled: 6 } },
    });
    expect(fromJson<{ payload: unknown }>(all.row.trigger_payload, { payload: null }).payload).toEqual({
      n: 3,
    });
  });
});
