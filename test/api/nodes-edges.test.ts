import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from '../helpers/test-app.js';
import { dbKinds } from '../helpers/test-database.js';

describe.each(dbKinds())('nodes and edges API on %s', (kind) => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  let base: string;
  let slug: string;
  beforeAll(async () => {
    t = await createTestApp(kind);
    alice = await t.makeUser();
    bob = await t.makeUser();
    slug = (await t.call('POST', '/api/v1/workflows/', alice.key, { name: 'Graph' })).json().slug;
    base = `/api/v1/workflows/${slug}`;
  });
  afterAll(async () => t?.close());
  const post = (path: string, body: unknown, key = alice.key) => t.call('POST', `${base}${path}`, key, body);

  it('creates a palette node with generated id and full default config, and publishes events', async () => {
    const seen: Record<string, unknown>[] = [];
    const off = await t.services.bus.subscribe(`workflow:${slug}`, (_c, m) => seen.push(m));
    const res = await post('/nodes/', { component_type: 'agent', position_x: 250, position_y: 150 });
    expect(res.statusCode).toBe(201);
    const node = res.json();
    expect(node.node_id).toMatch(/^agent_[0-9a-f]{8}$/);
    for (const key of [
      'system_prompt',
      'extra_config',
      'llm_credential_id',
      'model_name',
      'temperature',
      'max_tokens',
      'top_p',
      'frequency_penalty',
      'presence_penalty',
      'credential_id',
      'is_active',
      'priority',
      'trigger_config',
      'llm_model_config_id',
    ]) {
      expect(node.config).toHaveProperty(key);
    }
    expect(node.config.extra_config).toMatchObject({ conversation_memory: false, max_steps: 50 });
    await post('/nodes/', { component_type: 'trigger_manual', node_id: 'tm' });
    const edge = await post('/edges/', { source_node_id: 'tm', target_node_id: node.node_id });
    expect(edge.statusCode).toBe(201);
    expect((await t.call('DELETE', `${base}/nodes/tm/`, alice.key)).statusCode).toBe(204);
    await off();
    const created = seen.find((m) => m.type === 'node_created') as {
      channel: string;
      data: Record<string, unknown>;
    };
    expect(created.channel).toBe(`workflow:${slug}`);
    expect(created.data).toEqual(node);
    expect(seen.map((m) => m.type)).toEqual([
      'node_created',
      'node_created',
      'edge_created',
      'edge_deleted',
      'node_deleted',
    ]);
    expect(seen.at(-1)?.data).toEqual({ node_id: 'tm' });
    expect(seen.at(-2)?.data).toEqual({ id: edge.json().id });
  });

  it('refuses bad config naming the field, unknown types and duplicate ids', async () => {
    const bad = await post('/nodes/', {
      component_type: 'wait',
      config: { extra_config: { duration: 'soon' } },
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().detail[0].loc).toEqual(['body', 'config', 'extra_config', 'duration']);
    const unknown = await post('/nodes/', { component_type: 'nope' });
    expect(unknown.statusCode).toBe(422);
    await post('/nodes/', { component_type: 'code', node_id: 'dup' });
    expect((await post('/nodes/', { component_type: 'code', node_id: 'dup' })).statusCode).toBe(409);
    // The reference DSL's wait keys are migrated.
    const wait = await post('/nodes/', {
      component_type: 'wait',
      config: { extra_config: { delay: 2, delay_unit: 'minutes' } },
    });
    expect(wait.json().config.extra_config).toMatchObject({ duration: 2, unit: 'minutes' });
  });

  it('forces interrupt_before on human confirmation', async () => {
    const h = (await post('/nodes/', { component_type: 'human_confirmation', node_id: 'hc' })).json();
    expect(h.interrupt_before).toBe(true);
    const p = await t.call('PATCH', `${base}/nodes/hc/`, alice.key, { interrupt_before: false });
    expect(p.json().interrupt_before).toBe(true);
  });

  it('patches, renames carrying edges along, refuses type changes and taken ids', async () => {
    await post('/nodes/', { component_type: 'trigger_chat', node_id: 'tc' });
    await post('/nodes/', {
      component_type: 'code',
      node_id: 'c1',
      config: { extra_config: { code: 'return 1' } },
    });
    await post('/edges/', { source_node_id: 'tc', target_node_id: 'c1' });
    const moved = await t.call('PATCH', `${base}/nodes/c1/`, alice.key, {
      position_x: 10.4,
      position_y: 20,
      label: 'Calc',
    });
    expect(moved.json()).toMatchObject({ position_x: 10, position_y: 20, label: 'Calc' });
    expect(moved.json().config.extra_config.code).toBe('return 1');
    expect(
      (await t.call('PATCH', `${base}/nodes/c1/`, alice.key, { component_type: 'agent' })).statusCode,
    ).toBe(422);
    expect((await t.call('PATCH', `${base}/nodes/c1/`, alice.key, { node_id: 'tc' })).statusCode).toBe(409);
    const renamed = await t.call('PATCH', `${base}/nodes/c1/`, alice.key, { node_id: 'c2' });
    expect(renamed.statusCode).toBe(200);
    const edges = (await t.call('GET', `${base}/edges/`, alice.key)).json();
    expect(
      edges.some(
        (e: { source_node_id: string; target_node_id: string }) =>
          e.source_node_id === 'tc' && e.target_node_id === 'c2',
      ),
    ).toBe(true);
    const badCfg = await t.call('PATCH', `${base}/nodes/c2/`, alice.key, {
      config: { extra_config: { timeout_seconds: -5 } },
    });
    expect(badCfg.statusCode).toBe(422);
    expect(badCfg.json().detail[0].loc).toEqual(['body', 'config', 'extra_config', 'timeout_seconds']);
    expect((await t.call('PATCH', `${base}/nodes/ghost/`, alice.key, { label: 'x' })).statusCode).toBe(404);
  });

  it('derives llm_model_config_id from the llm edge', async () => {
    await post('/nodes/', { component_type: 'agent', node_id: 'ag' });
    const model = (
      await post('/nodes/', {
        component_type: 'ai_model',
        node_id: 'mdl',
        config: { llm_credential_id: 3, model_name: 'gpt-x', temperature: 0.2 },
      })
    ).json();
    expect(model.config).toMatchObject({ llm_credential_id: 3, model_name: 'gpt-x', temperature: 0.2 });
    const e = (
      await post('/edges/', { source_node_id: 'mdl', target_node_id: 'ag', edge_label: 'llm' })
    ).json();
    const detail = (await t.call('GET', `${base}/`, alice.key)).json();
    expect(detail.nodes.find((n: { node_id: string }) => n.node_id === 'ag').config.llm_model_config_id).toBe(
      model.id,
    );
    await t.call('DELETE', `${base}/edges/${e.id}/`, alice.key);
    const nodes = (await t.call('GET', `${base}/nodes/`, alice.key)).json();
    expect(nodes.find((n: { node_id: string }) => n.node_id === 'ag').config.llm_model_config_id).toBeNull();
  });

  it('refuses each kind of bad edge', async () => {
    for (const [id, type] of [
      ['sw', 'switch'],
      ['as', 'assertion'],
      ['cat', 'categorizer'],
      ['lp', 'loop'],
      ['wt', 'wait'],
      ['tool1', 'whoami'],
      ['flt', 'filter'],
      ['tm2', 'trigger_manual'],
      ['hc2', 'human_confirmation'],
      ['ag2', 'agent'],
    ] as const) {
      await post('/nodes/', { component_type: type, node_id: id });
    }
    const refuse = async (body: Record<string, unknown>, status = 422) => {
      const res = await post('/edges/', body);
      expect([body, res.statusCode]).toEqual([body, status]);
      if (status === 422) expect(Array.isArray(res.json().detail.validation_errors)).toBe(true);
      return res;
    };
    await refuse({ source_node_id: 'ghost', target_node_id: 'wt' });
    await refuse({ source_node_id: 'wt', target_node_id: 'ghost' });
    await refuse({ source_node_id: 'ag2', target_node_id: 'flt' }); // messages/string → array
    await refuse({ source_node_id: 'wt', target_node_id: 'lp', edge_label: 'llm' }); // wrong source, loop takes no model
    await refuse({ source_node_id: 'tool1', target_node_id: 'sw', edge_label: 'tool' }); // switch takes no tools
    await refuse({ source_node_id: 'wt', target_node_id: 'ag2', edge_label: 'tool' }); // wait is not a tool
    await refuse({ source_node_id: 'tool1', target_node_id: 'wt' }); // sub-component on a plain edge
    await refuse({
      source_node_id: 'wt',
      target_node_id: 'sw',
      edge_type: 'conditional',
      condition_value: 'x',
    });
    await refuse({ source_node_id: 'sw', target_node_id: 'wt', edge_type: 'conditional' });
    await refuse({
      source_node_id: 'as',
      target_node_id: 'wt',
      edge_type: 'conditional',
      condition_value: 'maybe',
    });
    await refuse({ source_node_id: 'wt', target_node_id: 'tm2' });
    await refuse({ source_node_id: 'wt', target_node_id: 'sw', edge_label: 'loop_body' });
    // Allowed: any-port compatibility, routing from assertion/categorizer/human confirmation.
    expect((await post('/edges/', { source_node_id: 'tm2', target_node_id: 'ag2' })).statusCode).toBe(201);
    expect(
      (await post('/edges/', { source_node_id: 'tool1', target_node_id: 'ag2', edge_label: 'tool' }))
        .statusCode,
    ).toBe(201);
    expect(
      (
        await post('/edges/', {
          source_node_id: 'as',
          target_node_id: 'wt',
          edge_type: 'conditional',
          condition_value: 'pass',
        })
      ).statusCode,
    ).toBe(201);
    expect(
      (
        await post('/edges/', {
          source_node_id: 'cat',
          target_node_id: 'wt',
          edge_type: 'conditional',
          condition_value: 'billing',
        })
      ).statusCode,
    ).toBe(201);
    expect(
      (
        await post('/edges/', {
          source_node_id: 'hc2',
          target_node_id: 'wt',
          edge_type: 'conditional',
          condition_value: 'confirmed',
        })
      ).statusCode,
    ).toBe(201);
    const ok = (
      await post('/edges/', { source_node_id: 'lp', target_node_id: 'wt', edge_label: 'loop_body' })
    ).json();
    await refuse({ source_node_id: 'lp', target_node_id: 'wt', edge_label: 'loop_body' }, 409);
    // PATCH is validated too.
    const p = await t.call('PATCH', `${base}/edges/${ok.id}/`, alice.key, { edge_label: 'llm' });
    expect(p.statusCode).toBe(422);
    expect(
      (await t.call('PATCH', `${base}/edges/${ok.id}/`, alice.key, { priority: 3 })).json().priority,
    ).toBe(3);
    expect((await t.call('PATCH', `${base}/edges/99999/`, alice.key, { priority: 3 })).statusCode).toBe(404);
  });

  it('answers 401 without a key and 404 for another user', async () => {
    for (const [method, path] of [
      ['GET', '/nodes/'],
      ['POST', '/nodes/'],
      ['PATCH', '/nodes/ag/'],
      ['DELETE', '/nodes/ag/'],
      ['GET', '/edges/'],
      ['POST', '/edges/'],
      ['PATCH', '/edges/1/'],
      ['DELETE', '/edges/1/'],
    ] as const) {
      expect([method, path, (await t.call(method, `${base}${path}`, null, {})).statusCode]).toEqual([
        method,
        path,
        401,
      ]);
      expect([
        method,
        path,
        (await t.call(method, `${base}${path}`, bob.key, { component_type: 'code', source_node_id: 'x' }))
          .statusCode,
      ]).toEqual([method, path, 404]);
    }
    const del = await t.app.inject({
      method: 'DELETE',
      url: `${base}/nodes/ag/`,
      headers: { authorization: `Bearer ${alice.key}`, 'content-type': 'application/json' },
    });
    expect(del.statusCode).toBe(204);
  });
});
