import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

describe('editing events', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite');
  });
  afterAll(async () => t?.close());

  const listen = async (channel: string) => {
    const seen: Array<Record<string, any>> = [];
    const off = await t.services.bus.subscribe(channel, (_c, m) => seen.push(m));
    return { seen, off };
  };
  const settle = () => new Promise((r) => setTimeout(r, 30));

  it('publishes workflow_created, node_updated with the full node, and workflow_updated on the old slug', async () => {
    const created = await listen('workflow:evt-flow');
    expect(
      (await t.call('POST', '/api/v1/workflows/', t.admin.key, { name: 'Evt', slug: 'evt-flow' })).statusCode,
    ).toBe(201);
    await t.call('POST', '/api/v1/workflows/evt-flow/nodes/', t.admin.key, {
      node_id: 'w',
      component_type: 'wait',
    });
    const patched = await t.call('PATCH', '/api/v1/workflows/evt-flow/nodes/w/', t.admin.key, {
      label: 'Nap',
      position_x: 40,
    });
    expect(patched.statusCode).toBe(200);
    await settle();
    expect(created.seen.find((m) => m.type === 'workflow_created')?.data).toMatchObject({ slug: 'evt-flow' });
    const updated = created.seen.find((m) => m.type === 'node_updated');
    expect(updated?.channel).toBe('workflow:evt-flow');
    expect(updated?.data).toMatchObject({
      node_id: 'w',
      label: 'Nap',
      position_x: 40,
      component_type: 'wait',
    });
    expect(updated?.data.config.extra_config).toEqual(expect.objectContaining({ duration: 0 }));

    const renamed = await listen('workflow:evt-renamed');
    created.seen.length = 0;
    const patch = await t.call('PATCH', '/api/v1/workflows/evt-flow/', t.admin.key, { slug: 'evt-renamed' });
    expect(patch.statusCode).toBe(200);
    await settle();
    expect(created.seen.map((m) => m.type)).toContain('workflow_updated');
    expect(created.seen.find((m) => m.type === 'workflow_updated')?.data.slug).toBe('evt-renamed');
    expect(renamed.seen.filter((m) => m.type === 'workflow_updated')).toHaveLength(0);
    await created.off();
    await renamed.off();
  });
});
