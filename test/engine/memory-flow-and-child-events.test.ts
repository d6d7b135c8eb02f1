/**
 * Memory nodes as flow steps (not only agent tools), identify_user accepted as an agent tool, and
 * child node events forwarded to the root execution's channels.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeRows, seedWorkflow, waitForStatus } from '../helpers/seed-workflow.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

describe('memory nodes in the flow and child events', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite', {}, undefined, { engine: true });
  });
  afterAll(async () => t?.close());

  const hook = (slug: string, body: unknown) =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1/webhooks/${slug}`,
      payload: body as never,
      headers: { authorization: `Bearer ${t.admin.key}` },
    });

  it('writes and recalls a fact with memory_write and memory_read placed as nodes', async () => {
    await seedWorkflow(t.services.database.db, t.admin.id, {
      slug: 'mem-flow',
      nodes: [
        { id: 'in', type: 'trigger_webhook' },
        { id: 'who', type: 'identify_user' },
        { id: 'save', type: 'memory_write', extra: { key: 'drink', value: '{{ input.drink }}' } },
        { id: 'load', type: 'memory_read', extra: { key: 'drink' } },
      ],
      edges: [
        { from: 'in', to: 'who' },
        { from: 'who', to: 'save' },
        { from: 'save', to: 'load' },
      ],
    });
    const res = await hook('mem-flow', { user_id: 'dora', drink: 'tea' });
    expect(res.statusCode, res.body).toBe(202);
    const id = res.json().execution_id;
    const row = await waitForStatus(t.services.database.db, id, ['completed', 'failed']);
    expect(row.status, row.error_message ?? '').toBe('completed');
    const nodes = await nodeRows(t.services.database.db, id);
    expect(nodes.save.status).toBe('success');
    expect(JSON.stringify(nodes.load.out)).toContain('tea');
  });

  it('accepts identify_user as an agent tool but not other flow nodes', async () => {
    await t.call('POST', '/api/v1/workflows/', t.admin.key, { name: 'Tools', slug: 'tool-edges' });
    const add = (node_id: string, component_type: string) =>
      t.call('POST', '/api/v1/workflows/tool-edges/nodes/', t.admin.key, { node_id, component_type });
    await add('brain', 'agent');
    await add('who', 'identify_user');
    await add('pick', 'switch');
    const ok = await t.call('POST', '/api/v1/workflows/tool-edges/edges/', t.admin.key, {
      source_node_id: 'who',
      target_node_id: 'brain',
      edge_label: 'tool',
    });
    expect(ok.statusCode, ok.body).toBe(201);
    const refused = await t.call('POST', '/api/v1/workflows/tool-edges/edges/', t.admin.key, {
      source_node_id: 'pick',
      target_node_id: 'brain',
      edge_label: 'tool',
    });
    expect(refused.statusCode).toBe(422);
  });

  it("forwards a child execution's node events to the root execution as child_node_status", async () => {
    await seedWorkflow(t.services.database.db, t.admin.id, {
      slug: 'kid',
      nodes: [
        { id: 'called', type: 'trigger_workflow' },
        { id: 'say', type: 'reply_chat', extra: { message: 'hi' } },
      ],
      edges: [{ from: 'called', to: 'say' }],
    });
    await seedWorkflow(t.services.database.db, t.admin.id, {
      slug: 'root-wf',
      nodes: [
        { id: 'start', type: 'trigger_manual' },
        { id: 'sub', type: 'workflow', extra: { target_workflow: 'kid' } },
      ],
      edges: [{ from: 'start', to: 'sub' }],
    });
    const seen: Array<Record<string, any>> = [];
    const off = await t.services.bus.subscribe('workflow:root-wf', (_c, m) => seen.push(m));
    const id = (await t.call('POST', '/api/v1/workflows/root-wf/execute/', t.admin.key, {})).json()
      .execution_id;
    await waitForStatus(t.services.database.db, id, ['completed']);
    await new Promise((r) => setTimeout(r, 50));
    await off();
    const child = seen.find(
      (m) => m.type === 'child_node_status' && m.data.node_id === 'say' && m.data.status === 'success',
    );
    expect(child?.execution_id).toBe(id);
    expect(child?.data).toMatchObject({ is_child_event: true, parent_node_id: 'sub' });
  });
});
