import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineNode } from '../../src/nodes/define-node.js';
import { registerNodeType } from '../../src/nodes/registry.js';
import { checkEdge } from '../../src/workflows/edge-validation.js';
import { createTestApp, type TestApp, type TestUser } from '../helpers/test-app.js';
import { dbKinds } from '../helpers/test-database.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'dsl');

describe.each(dbKinds())('workflow DSL on %s', (kind) => {
  let t: TestApp;
  let alice: TestUser;
  let bob: TestUser;
  beforeAll(async () => {
    t = await createTestApp(kind);
    alice = await t.makeUser();
    bob = await t.makeUser();
  });
  afterAll(async () => t?.close());

  const importYaml = (yaml_str: string, key = alice.key, slug?: string) =>
    t.call('POST', '/api/v1/workflows/import/', key, { yaml_str, ...(slug ? { slug } : {}) });
  const exportYaml = (slug: string, key = alice.key) =>
    t.call('GET', `/api/v1/workflows/${slug}/export/`, key);

  for (const file of readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.yaml'))
    .sort()) {
    it(`imports ${file}, exports it and re-imports the same graph`, async () => {
      const first = await importYaml(readFileSync(join(FIXTURES, file), 'utf8'));
      expect([file, first.statusCode, first.body]).toEqual([file, 201, expect.any(String)]);
      const exported = await exportYaml(first.json().slug);
      expect(exported.statusCode).toBe(200);
      expect(exported.headers['content-type']).toMatch(/application\/yaml/);
      const second = await importYaml(exported.body);
      expect(second.statusCode).toBe(201);
      expect((await exportYaml(second.json().slug)).body).toBe(exported.body);
      const validate = (
        await t.call('POST', '/api/v1/workflows/validate-dsl/', alice.key, { yaml_str: exported.body })
      ).json();
      expect(validate).toMatchObject({
        valid: true,
        errors: [],
        node_count: first.json().node_count,
        edge_count: first.json().edge_count,
      });
    });
  }

  it('compiles the step form as the reference does (switch routes, loop body, wait delay, models, tools)', async () => {
    const branching = (await importYaml(readFileSync(join(FIXTURES, '02-branching.yaml'), 'utf8'))).json();
    const detail = (await t.call('GET', `/api/v1/workflows/${branching.slug}/`, alice.key)).json();
    const edges = detail.edges.map(
      (e: Record<string, string>) =>
        `${e.source_node_id}>${e.target_node_id}:${e.edge_type}:${e.edge_label}:${e.condition_value}`,
    );
    expect(edges).toEqual(
      expect.arrayContaining([
        'trigger_chat_1>categorizer:direct::',
        'categorizer>router:direct::',
        'router>urgent_handler:conditional::urgent_handler',
        'router>feedback_handler:conditional::__other__',
        'ai_model_categorizer>categorizer:direct:llm:',
      ]),
    );
    const wait = detail.nodes.find((n: { node_id: string }) => n.node_id === 'question_handler');
    expect(wait.config.extra_config).toMatchObject({ duration: 2, unit: 'seconds' });
    const agent = detail.nodes.find((n: { node_id: string }) => n.node_id === 'categorizer');
    const model = detail.nodes.find((n: { node_id: string }) => n.node_id === 'ai_model_categorizer');
    expect(agent.config.llm_model_config_id).toBe(model.id);
    expect(model.config).toMatchObject({ llm_credential_id: 1, model_name: 'gpt-4o-mini' });
    const hc = detail.nodes.find((n: { node_id: string }) => n.node_id === 'urgent_handler');
    expect(hc.interrupt_before).toBe(true);
  });

  it('refuses an invalid file with every error and its line, creating nothing', async () => {
    const before = (await t.call('GET', '/api/v1/workflows/', alice.key)).json().total;
    const yaml = [
      'name: Broken',
      'trigger: manual',
      'steps:',
      '  - {id: a, type: http}',
      '  - {id: b, type: wait, duration: soon}',
      '  - {id: c, type: agent, tools: [teleport], model: {discover: true}}',
      '',
    ].join('\n');
    const res = await importYaml(yaml);
    expect(res.statusCode).toBe(422);
    const errors: string[] = res.json().detail.errors;
    expect(errors.some((e) => e.startsWith('line 4:') && e.includes("Unknown step type 'http'"))).toBe(true);
    expect(errors.some((e) => e.startsWith('line 5:') && e.includes('duration'))).toBe(true);
    expect(
      errors.some((e) => e.startsWith('line 6:') && e.includes("Unknown inline tool type 'teleport'")),
    ).toBe(true);
    expect(errors.some((e) => e.startsWith('line 6:') && e.includes('not available yet'))).toBe(true);
    expect((await t.call('GET', '/api/v1/workflows/', alice.key)).json().total).toBe(before);
    const parse = await importYaml('name: [unclosed\n');
    expect(parse.json().detail.errors[0]).toMatch(/^line \d+: Parse error: Invalid YAML/);
    const dry = (
      await t.call('POST', '/api/v1/workflows/validate-dsl/', alice.key, { yaml_str: yaml })
    ).json();
    expect(dry.valid).toBe(false);
    expect(dry.errors.length).toBeGreaterThanOrEqual(4);
  });

  it('forks with patches', async () => {
    const src = (await importYaml(readFileSync(join(FIXTURES, '01-complete-agent.yaml'), 'utf8'))).json();
    const yaml = [
      `based_on: ${src.slug}`,
      'patches:',
      '  - {action: update_prompt, step_id: main_agent, prompt: New prompt}',
      '  - {action: add_tool, step_id: main_agent, tool: system_health}',
      '  - {action: add_step, after: main_agent, step: {id: check, type: code, code: "return 1"}}',
      '  - {action: remove_tool, tool_node_id: whoami_main_agent_1}',
      '',
    ].join('\n');
    const res = await importYaml(yaml);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ forked_from_id: src.id, name: 'Complete Agent (fork)' });
    const detail = (await t.call('GET', `/api/v1/workflows/${res.json().slug}/`, alice.key)).json();
    const ids = detail.nodes.map((n: { node_id: string }) => n.node_id);
    expect(ids).toContain('system_health_main_agent_patched');
    expect(ids).not.toContain('whoami_main_agent_1');
    expect(
      detail.nodes.find((n: { node_id: string }) => n.node_id === 'main_agent').config.system_prompt,
    ).toBe('New prompt');
    expect(
      detail.edges.some(
        (e: Record<string, string>) => e.source_node_id === 'check' && e.target_node_id === 'format_output',
      ),
    ).toBe(true);
    expect((await importYaml(`based_on: ${src.slug}\npatches: []\n`, bob.key)).statusCode).toBe(422);
  });

  it('reads the registry: a registered type is a step type and edge-valid; refused once removed', async () => {
    const probe = defineNode({
      type: 'test_probe_step',
      displayName: 'Probe',
      description: '',
      category: 'logic',
      inputs: [{ name: 'input', data_type: 'any' }],
      outputs: [{ name: 'output', data_type: 'any' }],
      config: z.looseObject({ level: z.number().default(1) }),
      flags: { executable: true },
      palette: { label: 'P', color: '#000' },
    });
    const yaml = 'name: Probe\ntrigger: manual\nsteps:\n  - {id: p, type: test_probe_step}\n';
    const nodes = new Map([
      ['p', { node_id: 'p', component_type: 'test_probe_step' }],
      ['t', { node_id: 't', component_type: 'trigger_manual' }],
    ]);
    const edge = {
      source_node_id: 't',
      target_node_id: 'p',
      edge_type: 'direct',
      edge_label: '',
      condition_value: '',
    };
    const un = registerNodeType(probe);
    try {
      expect(checkEdge(edge, nodes, [])).toBeNull();
      const ok = await importYaml(yaml);
      expect(ok.statusCode).toBe(201);
      expect(
        (await t.call('GET', `/api/v1/workflows/${ok.json().slug}/nodes/p/`, alice.key)).statusCode,
      ).toBe(404);
      const nodesList = (await t.call('GET', `/api/v1/workflows/${ok.json().slug}/nodes/`, alice.key)).json();
      expect(nodesList.find((n: { node_id: string }) => n.node_id === 'p').config.extra_config).toEqual({
        level: 1,
      });
    } finally {
      un();
    }
    expect(checkEdge(edge, nodes, [])?.status).toBe(422);
    expect((await importYaml(yaml)).statusCode).toBe(422);
  });

  it('needs a key for import, export and validate-dsl; others get 404 on export', async () => {
    const wf = (await importYaml(readFileSync(join(FIXTURES, '05-deep-agent.yaml'), 'utf8'))).json();
    expect((await exportYaml(wf.slug, bob.key)).statusCode).toBe(404);
    expect((await t.call('GET', `/api/v1/workflows/${wf.slug}/export/`)).statusCode).toBe(401);
    expect((await t.call('POST', '/api/v1/workflows/import/', null, { yaml_str: 'x' })).statusCode).toBe(401);
    expect(
      (await t.call('POST', '/api/v1/workflows/validate-dsl/', null, { yaml_str: 'x' })).statusCode,
    ).toBe(401);
  });
});
