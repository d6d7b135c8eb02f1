import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineNode } from '../../src/nodes/define-node.js';
import { registerNodeType } from '../../src/nodes/registry.js';
import { REFERENCE_NODE_TYPES as REFERENCE_TYPES } from '../fixtures/reference-node-types.js';
import { createTestApp, type TestApp, type TestUser } from '../helpers/test-app.js';
import { dbKinds } from '../helpers/test-database.js';

describe.each(dbKinds())('workflows API on %s', (kind) => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  beforeAll(async () => {
    t = await createTestApp(kind);
    alice = await t.makeUser();
    bob = await t.makeUser();
  });
  afterAll(async () => t?.close());

  const create = (key: string, body: Record<string, unknown>) =>
    t.call('POST', '/api/v1/workflows/', key, body);

  it('serves node types without a key, with every reference type, not captured by /{slug}/', async () => {
    const res = await t.call('GET', '/api/v1/workflows/node-types/');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    for (const type of REFERENCE_TYPES) expect(body[type]?.component_type).toBe(type);
    expect(body.agent).toMatchObject({
      requires_model: true,
      requires_tools: true,
      requires_skills: true,
      executable: true,
      category: 'ai',
    });
    expect(body.ai_model).toMatchObject({ executable: false, is_sub_component: true });
    expect(body.trigger_manual.is_trigger).toBe(true);
    expect(body.wait.config_schema.properties.duration).toBeDefined();
    expect(body.agent.outputs.map((p: { name: string }) => p.name)).toContain('output');
  });

  it('shows a type registered at runtime, and drops it again', async () => {
    const un = registerNodeType(
      defineNode({
        type: 'test_probe',
        displayName: 'Probe',
        description: '',
        category: 'logic',
        inputs: [],
        outputs: [],
        config: z.looseObject({}),
        flags: { executable: true },
        palette: { label: 'P', color: '#000' },
      }),
    );
    expect((await t.call('GET', '/api/v1/workflows/node-types')).json().test_probe).toBeDefined();
    un();
    expect((await t.call('GET', '/api/v1/workflows/node-types')).json().test_probe).toBeUndefined();
  });

  it('creates with derived slug and -1/-2 suffixes, validates slug format', async () => {
    const a = await create(alice.key, { name: 'My Flow!' });
    expect(a.statusCode).toBe(201);
    expect(a.json()).toMatchObject({
      slug: 'my-flow',
      node_count: 0,
      edge_count: 0,
      trigger_count: 0,
      is_active: true,
      max_execution_seconds: 600,
    });
    expect((await create(alice.key, { name: 'My Flow' })).json().slug).toBe('my-flow-1');
    expect((await create(alice.key, { name: 'x', slug: 'my-flow' })).json().slug).toBe('my-flow-2');
    const bad = await create(alice.key, { name: 'x', slug: 'Bad Slug' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().detail[0].loc).toEqual(['body', 'slug']);
    expect((await create(alice.key, { name: 'x', max_execution_seconds: 0 })).statusCode).toBe(422);
    expect((await create('', { name: 'x' })).statusCode).toBe(401);
  });

  it('lists own workflows with counts; admins see all; others get 404', async () => {
    const wf = (await create(bob.key, { name: 'Bob Flow', tags: ['a'] })).json();
    await t.call('POST', `/api/v1/workflows/${wf.slug}/nodes/`, bob.key, {
      component_type: 'trigger_manual',
    });
    await t.call('POST', `/api/v1/workflows/${wf.slug}/nodes/`, bob.key, {
      component_type: 'code',
      node_id: 'c1',
    });
    const list = await t.call('GET', '/api/v1/workflows/?limit=10', bob.key);
    expect(list.json().total).toBe(1);
    expect(list.json().items[0]).toMatchObject({
      slug: wf.slug,
      node_count: 2,
      trigger_count: 1,
      edge_count: 0,
      tags: ['a'],
    });
    expect((await t.call('GET', '/api/v1/workflows/', t.admin.key)).json().total).toBeGreaterThanOrEqual(4);
    expect(
      (await t.call('GET', '/api/v1/workflows/?limit=1&offset=1', t.admin.key)).json().items,
    ).toHaveLength(1);
    expect((await t.call('GET', `/api/v1/workflows/${wf.slug}/`, alice.key)).statusCode).toBe(404);
    expect((await t.call('GET', `/api/v1/workflows/${wf.slug}/`, alice.key)).json().detail).toBe(
      'Workflow not found.',
    );
    expect((await t.call('GET', `/api/v1/workflows/${wf.slug}/`, t.admin.key)).statusCode).toBe(200);
    const detail = (await t.call('GET', `/api/v1/workflows/${wf.slug}/`, bob.key)).json();
    expect(detail.nodes).toHaveLength(2);
    expect(detail.edges).toEqual([]);
    expect((await t.call('GET', '/api/v1/workflows/')).statusCode).toBe(401);
    expect(
      (await t.call('PATCH', `/api/v1/workflows/${wf.slug}/`, alice.key, { name: 'x' })).statusCode,
    ).toBe(404);
    expect((await t.call('DELETE', `/api/v1/workflows/${wf.slug}/`, alice.key)).statusCode).toBe(404);
  });

  it('patches, refusing slug collisions and invisible error handlers, and publishes on the old slug', async () => {
    const one = (await create(alice.key, { name: 'Patch One' })).json();
    const two = (await create(alice.key, { name: 'Patch Two' })).json();
    const bobs = (await create(bob.key, { name: 'Bob Handler' })).json();
    expect(
      (await t.call('PATCH', `/api/v1/workflows/${one.slug}/`, alice.key, { slug: two.slug })).statusCode,
    ).toBe(409);
    expect(
      (
        await t.call('PATCH', `/api/v1/workflows/${one.slug}/`, alice.key, {
          error_handler_workflow_id: bobs.id,
        })
      ).statusCode,
    ).toBe(422);
    expect(
      (await t.call('PATCH', `/api/v1/workflows/${one.slug}/`, alice.key, { max_execution_seconds: -1 }))
        .statusCode,
    ).toBe(422);
    const seen: Record<string, unknown>[] = [];
    const off = await t.services.bus.subscribe(`workflow:${one.slug}`, (_c, m) => seen.push(m));
    const res = await t.call('PATCH', `/api/v1/workflows/${one.slug}/`, alice.key, {
      slug: 'patched-one',
      error_handler_workflow_id: two.id,
      is_active: false,
      tags: ['x'],
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      slug: 'patched-one',
      error_handler_workflow_id: two.id,
      is_active: false,
      tags: ['x'],
    });
    await off();
    expect(seen.map((m) => m.type)).toContain('workflow_updated');
    expect((await t.call('GET', '/api/v1/workflows/patched-one/', alice.key)).statusCode).toBe(200);
    expect((await t.call('PATCH', '/api/v1/workflows/patched-one/')).statusCode).toBe(401);
  });

  it('deletes (204 with an empty JSON body) and batch-deletes only visible workflows', async () => {
    const wf = (await create(alice.key, { name: 'Doomed' })).json();
    const res = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/workflows/${wf.slug}/`,
      headers: { authorization: `Bearer ${alice.key}`, 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(204);
    expect((await t.call('GET', `/api/v1/workflows/${wf.slug}/`, alice.key)).statusCode).toBe(404);
    const a = (await create(alice.key, { name: 'Batch A' })).json();
    const b = (await create(bob.key, { name: 'Batch B' })).json();
    expect(
      (await t.call('POST', '/api/v1/workflows/batch-delete/', alice.key, { slugs: [a.slug, b.slug] }))
        .statusCode,
    ).toBe(204);
    expect((await t.call('GET', `/api/v1/workflows/${a.slug}/`, alice.key)).statusCode).toBe(404);
    expect((await t.call('GET', `/api/v1/workflows/${b.slug}/`, bob.key)).statusCode).toBe(200);
    expect(
      (await t.call('POST', '/api/v1/workflows/batch-delete/', alice.key, { slugs: [] })).statusCode,
    ).toBe(204);
    expect((await t.call('POST', '/api/v1/workflows/batch-delete/', null, { slugs: [] })).statusCode).toBe(
      401,
    );
  });

  it('leaves no orphan row after deleting a populated workflow', async () => {
    const { db } = t.services.database;
    const tables = (await db.introspection.getTables())
      .map((tb) => tb.name)
      .filter((n) => !n.startsWith('kysely_'));
    const countAll = async () => {
      const out: Record<string, number> = {};
      for (const name of tables) {
        const row = await db
          .selectFrom(name as never)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirst();
        out[name] = Number((row as { n: unknown }).n);
      }
      return out;
    };
    const before = await countAll();
    const wf = (await create(alice.key, { name: 'Orphans' })).json();
    const base = `/api/v1/workflows/${wf.slug}`;
    await t.call('POST', `${base}/nodes/`, alice.key, { component_type: 'trigger_manual', node_id: 'tm' });
    await t.call('POST', `${base}/nodes/`, alice.key, { component_type: 'agent', node_id: 'ag' });
    await t.call('POST', `${base}/nodes/`, alice.key, { component_type: 'ai_model', node_id: 'm' });
    expect(
      (await t.call('POST', `${base}/edges/`, alice.key, { source_node_id: 'tm', target_node_id: 'ag' }))
        .statusCode,
    ).toBe(201);
    expect(
      (
        await t.call('POST', `${base}/edges/`, alice.key, {
          source_node_id: 'm',
          target_node_id: 'ag',
          edge_label: 'llm',
        })
      ).statusCode,
    ).toBe(201);
    expect((await t.call('DELETE', `${base}/`, alice.key)).statusCode).toBe(204);
    const after = await countAll();
    // Audit or log tables of other features may grow; workflow tables must be back where they were.
    for (const name of ['workflows', 'workflow_nodes', 'workflow_edges'])
      expect(after[name]).toBe(before[name]);
    for (const name of tables)
      if (!/audit|log/i.test(name)) expect([name, after[name]]).toEqual([name, before[name]]);
  });

  it('validates a workflow, reporting every problem', async () => {
    const wf = (await create(alice.key, { name: 'Validate Me' })).json();
    const base = `/api/v1/workflows/${wf.slug}`;
    await t.call('POST', `${base}/nodes/`, alice.key, { component_type: 'agent', node_id: 'ag' });
    await t.call('POST', `${base}/nodes/`, alice.key, { component_type: 'code', node_id: 'c' });
    const res = await t.call('POST', `${base}/validate/`, alice.key);
    expect(res.statusCode).toBe(200);
    const { valid, errors } = res.json();
    expect(valid).toBe(false);
    expect(errors).toEqual(
      expect.arrayContaining([
        'Workflow has no trigger node',
        "Node 'ag' (agent) requires a model connection",
        "Node 'c' (code) is missing required config 'code'",
      ]),
    );
    await t.call('POST', `${base}/nodes/`, alice.key, { component_type: 'trigger_manual', node_id: 'tm' });
    const again = (await t.call('POST', `${base}/validate/`, alice.key)).json().errors;
    expect(again).toEqual(expect.arrayContaining(["Node 'ag' (agent) is not reachable from any trigger"]));
    expect((await t.call('POST', `${base}/validate/`, bob.key)).statusCode).toBe(404);
    expect((await t.call('POST', `${base}/validate/`)).statusCode).toBe(401);
  });
});
