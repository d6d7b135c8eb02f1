/**
 * AI nodes through the real engine against the mock LLM server: tool loops (OpenAI and Anthropic
 * wire formats), categorizer routing, extractor validation, conversation memory, tokens and cost,
 * budgets, provider retries, and chat streaming to an event-bus subscriber.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { workflowChannel } from '../../src/realtime/events.js';
import { lastUserText, type MockLlmServer, startMockLlmServer } from '../helpers/mock-llm-server.js';
import { nodeRows, seedWorkflow, waitForStatus } from '../helpers/seed-workflow.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { dbKinds } from '../helpers/test-database.js';
import { createLlmCredential, modelNode } from './llm-helpers.js';

describe.each(dbKinds())('AI nodes on %s', (kind) => {
  let t: TestApp;
  let mock: MockLlmServer;
  let cred: number;
  let slugCounter = 0;
  beforeAll(async () => {
    mock = await startMockLlmServer();
    t = await createTestApp(kind, { OUTBOUND_ALLOWLIST: '127.0.0.1' }, undefined, { engine: true });
    cred = await createLlmCredential(t, t.admin.key, mock.openaiBase);
  });
  afterAll(async () => {
    await t?.close();
    await mock?.close();
  });
  beforeEach(() => mock.reset());

  const db = () => t.services.database.db;
  const slug = (base: string) => `${base}-${++slugCounter}`;
  const run = async (s: string, text: string, key = t.admin.key) => {
    const res = await t.call('POST', `/api/v1/workflows/${s}/execute/`, key, { text });
    expect(res.statusCode, res.body).toBe(200);
    const id = res.json().execution_id as string;
    return { id, row: await waitForStatus(db(), id, ['completed', 'failed'], 30_000) };
  };
  const agentGraph = (
    s: string,
    tools: Array<{ id: string; type: string; extra?: Record<string, unknown> }>,
    agentExtra: Record<string, unknown> = {},
    credentialId = cred,
    model: Record<string, unknown> = {},
  ) =>
    seedWorkflow(db(), t.admin.id, {
      slug: s,
      nodes: [
        { id: 'start', type: 'trigger_manual' },
        { id: 'agent', type: 'agent', extra: agentExtra, config: { system_prompt: 'You are helpful.' } },
        modelNode(credentialId, model),
        ...tools,
      ],
      edges: [
        { from: 'start', to: 'agent' },
        { from: 'model', to: 'agent', label: 'llm' },
        ...tools.map((tool) => ({ from: tool.id, to: 'agent', label: 'tool' })),
      ],
    });

  it('an agent calls two tools in sequence and answers; tokens and cost are recorded', async () => {
    const s = slug('two-tools');
    await agentGraph(s, [
      { id: 'calc', type: 'calculator' },
      { id: 'clock', type: 'datetime', extra: { timezone: 'UTC' } },
    ]);
    mock.script(
      {
        toolCalls: [{ name: 'calculate', args: { expression: '(2 + 3) * 4 ** 2' } }],
        usage: { input: 100, output: 20 },
      },
      { toolCalls: [{ name: 'get_datetime', args: {} }], usage: { input: 150, output: 10 } },
      { text: 'It is 80, and the date is known.', usage: { input: 200, output: 30 } },
    );
    const { id, row } = await run(s, 'compute and tell the time');
    expect(row.status, row.error_message ?? '').toBe('completed');
    expect(mock.requests).toHaveLength(3);
    const toolResults = mock.requests.map((r) =>
      r.body.messages.filter((m: any) => m.role === 'tool').map((m: any) => m.content),
    );
    expect(toolResults[1]).toEqual(['80']);
    expect(toolResults[2][1]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/);
    expect(mock.requests[0].body.messages[0]).toEqual({ role: 'system', content: 'You are helpful.' });
    const nodes = await nodeRows(db(), id);
    expect(nodes.agent.out.output).toBe('It is 80, and the date is known.');
    expect(nodes.agent.input_tokens).toBe(450);
    expect(nodes.agent.output_tokens).toBe(60);
    expect(nodes.agent.llm_calls).toBe(3);
    // gpt-4o-mini: $0.15 / $0.60 per million tokens.
    const cost = (450 * 0.15 + 60 * 0.6) / 1e6;
    expect(Number(nodes.agent.cost_usd)).toBeCloseTo(cost, 10);
    expect(row.total_input_tokens).toBe(450);
    expect(row.total_output_tokens).toBe(60);
    expect(row.total_tokens).toBe(510);
    expect(row.llm_calls).toBe(3);
    expect(Number(row.total_cost_usd)).toBeCloseTo(cost, 10);
    expect(row.final).toEqual({ output: 'It is 80, and the date is known.' });
  });

  it('an admin price override changes the recorded cost', async () => {
    const put = await t.call('PUT', '/api/v1/pricing/', t.admin.key, {
      items: [{ model_prefix: 'gpt-4o-mini', input_per_million: 1000, output_per_million: 2000 }],
    });
    expect(put.statusCode, put.body).toBe(200);
    const s = slug('priced');
    await agentGraph(s, []);
    mock.script({ text: 'hi', usage: { input: 1000, output: 500 } });
    const { row } = await run(s, 'hello');
    expect(Number(row.total_cost_usd)).toBeCloseTo(1 + 1, 10);
    await t.call('PUT', '/api/v1/pricing/', t.admin.key, { items: [] });
  });

  it('speaks the Anthropic wire format (tool call, streaming, usage)', async () => {
    const anthropicCred = await createLlmCredential(t, t.admin.key, mock.anthropicBase, 'anthropic');
    const s = slug('anthropic');
    await agentGraph(s, [{ id: 'calc', type: 'calculator' }], {}, anthropicCred, {
      model_name: 'claude-sonnet-4-20250514',
    });
    mock.script(
      { toolCalls: [{ name: 'calculate', args: { expression: '2**10' } }], usage: { input: 40, output: 8 } },
      { text: 'Result: 1024', usage: { input: 60, output: 6 } },
    );
    const { id, row } = await run(s, 'power');
    expect(row.status, row.error_message ?? '').toBe('completed');
    expect(mock.requests[0].path).toBe('/v1/messages');
    expect(mock.requests[0].headers['x-api-key']).toBeTruthy();
    const toolMsg = mock.requests[1].body.messages.at(-1);
    expect(toolMsg.content[0]).toMatchObject({ type: 'tool_result', content: '1024' });
    const nodes = await nodeRows(db(), id);
    expect(nodes.agent.out.output).toBe('Result: 1024');
    expect(nodes.agent.input_tokens).toBe(100);
    expect(Number(nodes.agent.cost_usd)).toBeCloseTo((100 * 3 + 14 * 15) / 1e6, 10);
  });

  it('a categorizer sends each of three inputs down the right branch', async () => {
    const s = slug('categorize');
    await seedWorkflow(db(), t.admin.id, {
      slug: s,
      nodes: [
        { id: 'start', type: 'trigger_manual' },
        {
          id: 'cat',
          type: 'categorizer',
          extra: {
            categories: [
              { name: 'billing', description: 'invoices, payments' },
              { name: 'bug', description: 'something broken' },
              { name: 'other', description: 'anything else' },
            ],
          },
        },
        modelNode(cred),
        { id: 'r_billing', type: 'reply_chat', extra: { message: 'billing team' } },
        { id: 'r_bug', type: 'reply_chat', extra: { message: 'engineering' } },
        { id: 'r_other', type: 'reply_chat', extra: { message: 'front desk' } },
      ],
      edges: [
        { from: 'start', to: 'cat' },
        { from: 'model', to: 'cat', label: 'llm' },
        { from: 'cat', to: 'r_billing', when: 'billing' },
        { from: 'cat', to: 'r_bug', when: 'bug' },
        { from: 'cat', to: 'r_other', when: 'other' },
      ],
    });
    // The fake model classifies by keywords, answering in three different styles.
    mock.fallback = (req) => {
      const text = lastUserText(req);
      if (text.includes('invoice')) return { text: '{"category": "billing"}' };
      if (text.includes('crash')) return { text: 'I think this is a Bug report.' };
      return { text: '```json\n{"category": "other"}\n```' };
    };
    const expected: Record<string, [string, string]> = {
      'my invoice is wrong': ['billing', 'billing team'],
      'the app crashes on start': ['bug', 'engineering'],
      'hello there': ['other', 'front desk'],
    };
    for (const [input, [category, reply]] of Object.entries(expected)) {
      const { id, row } = await run(s, input);
      expect(row.status, row.error_message ?? '').toBe('completed');
      const nodes = await nodeRows(db(), id);
      expect(nodes.cat.out.category).toBe(category);
      expect(nodes.cat.route).toBe(category);
      expect(row.final).toEqual({ output: reply });
      for (const branch of ['billing', 'bug', 'other']) {
        expect(nodes[`r_${branch}`].status).toBe(branch === category ? 'success' : 'skipped');
      }
    }
  });

  it('an extractor returns schema-valid JSON, and fails clearly after retries on invalid output', async () => {
    const schema = {
      type: 'object',
      properties: { name: { type: 'string' }, age: { type: 'integer' } },
      required: ['name', 'age'],
    };
    const s = slug('extract');
    await seedWorkflow(db(), t.admin.id, {
      slug: s,
      nodes: [
        { id: 'start', type: 'trigger_manual' },
        { id: 'ext', type: 'extractor', extra: { extraction_schema: schema, max_attempts: 3 } },
        modelNode(cred),
      ],
      edges: [
        { from: 'start', to: 'ext' },
        { from: 'model', to: 'ext', label: 'llm' },
      ],
    });
    mock.script({ text: '{"name": "Ada"}' }, { text: '```json\n{"name": "Ada", "age": 36}\n```' });
    const ok = await run(s, 'Ada is 36 years old');
    expect(ok.row.status, ok.row.error_message ?? '').toBe('completed');
    expect((await nodeRows(db(), ok.id)).ext.out.extracted).toEqual({ name: 'Ada', age: 36 });
    expect(mock.requests[1].body.messages.at(-1).content).toMatch(/invalid/);

    mock.reset();
    mock.fallback = () => ({ text: '{"name": "Ada", "age": "old"}' });
    const bad = await run(s, 'Ada is old');
    expect(bad.row.status).toBe('failed');
    expect(bad.row.error_message).toMatch(/did not match extraction_schema after 3 attempts: age/);
    expect(mock.requests).toHaveLength(3);
    const nodes = await nodeRows(db(), bad.id);
    expect(nodes.ext.error_code).toBe('extraction_failed');
  });

  it('applies a connected output parser and a rule-based router', async () => {
    const s = slug('parser');
    await seedWorkflow(db(), t.admin.id, {
      slug: s,
      nodes: [
        { id: 'start', type: 'trigger_manual' },
        { id: 'agent', type: 'agent' },
        modelNode(cred),
        { id: 'parse', type: 'output_parser', extra: { parser_type: 'list' } },
        {
          id: 'route',
          type: 'router',
          extra: { condition_expression: "state.trigger.text == 'list please'" },
        },
      ],
      edges: [
        { from: 'start', to: 'agent' },
        { from: 'model', to: 'agent', label: 'llm' },
        { from: 'parse', to: 'agent', label: 'output_parser' },
        { from: 'agent', to: 'route' },
      ],
    });
    mock.script({ text: '1. apples\n2. pears\n- plums' });
    const { id, row } = await run(s, 'list please');
    expect(row.status, row.error_message ?? '').toBe('completed');
    const nodes = await nodeRows(db(), id);
    expect(nodes.agent.out.parsed).toEqual(['apples', 'pears', 'plums']);
    expect(nodes.route.out.route).toBe('list please');
  });

  it('a budget stops the run before the next LLM call', async () => {
    const s = slug('budget');
    await agentGraph(s, [{ id: 'calc', type: 'calculator' }]);
    const patch = await t.call('PATCH', `/api/v1/workflows/${s}/`, t.admin.key, { budget_tokens: 20 });
    expect(patch.statusCode, patch.body).toBe(200);
    // The workflow answers its budgets back (the settings dialog shows them).
    expect(patch.json()).toMatchObject({ budget_tokens: 20, budget_usd: null });
    mock.fallback = () => ({
      toolCalls: [{ name: 'calculate', args: { expression: '1+1' } }],
      usage: { input: 10, output: 5 },
    });
    const { id, row } = await run(s, 'loop forever');
    expect(row.status).toBe('failed');
    expect(row.error_message).toMatch(/Token budget exceeded: this execution used 30 tokens \(budget 20\)/);
    expect(mock.requests).toHaveLength(2);
    expect((await nodeRows(db(), id)).agent.error_code).toBe('budget_exceeded');
  });

  it('retries 429 (honouring Retry-After) and 500, then fails clearly; times out a hanging provider', async () => {
    const s = slug('retry');
    await agentGraph(s, [], {}, cred, { max_retries: 2, timeout: 1 });
    mock.script({ status: 429, retryAfter: 1 }, { status: 500 }, { text: 'finally' });
    const started = Date.now();
    const ok = await run(s, 'hi');
    expect(ok.row.status, ok.row.error_message ?? '').toBe('completed');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(mock.requests).toHaveLength(3);
    expect(ok.row.final).toEqual({ output: 'finally' });

    mock.reset();
    mock.fallback = () => ({ status: 500 });
    const failed = await run(s, 'hi');
    expect(failed.row.status).toBe('failed');
    expect(failed.row.error_message).toMatch(/LLM call failed after 3 attempts: HTTP 500/);
    expect(mock.requests).toHaveLength(3);

    mock.reset();
    mock.fallback = () => ({ hang: true });
    const hung = await run(s, 'hi');
    expect(hung.row.status).toBe('failed');
    expect(hung.row.error_message).toMatch(/LLM call failed after 3 attempts: LLM call timed out after 1s/);
  });

  it('conversation memory carries over within one thread and never across users or threads', async () => {
    const s = slug('memory');
    const wfId = await seedWorkflow(db(), t.admin.id, {
      slug: s,
      nodes: [
        { id: 'chat', type: 'trigger_chat' },
        { id: 'agent', type: 'agent', extra: { conversation_memory: true } },
        modelNode(cred),
      ],
      edges: [
        { from: 'chat', to: 'agent' },
        { from: 'model', to: 'agent', label: 'llm' },
      ],
    });
    const other = await t.makeUser();
    mock.fallback = (req) => ({ text: `echo: ${lastUserText(req)}` });
    const chat = async (text: string, key = t.admin.key, wf = s) => {
      const res = await t.call('POST', `/api/v1/workflows/${wf}/chat/`, key, { text });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ status: 'pending', response: '' });
      const row = await waitForStatus(db(), res.json().execution_id, ['completed', 'failed'], 20_000);
      expect(row.status, row.error_message ?? '').toBe('completed');
      expect(row.thread_id).toMatch(/^\d+:\d+$/);
      return mock.requests.at(-1)!.body.messages as Array<{ role: string; content: string }>;
    };
    await chat('my name is Ada');
    const second = await chat('what is my name?');
    expect(second.map((m) => m.content)).toEqual([
      'my name is Ada',
      'echo: my name is Ada',
      'what is my name?',
    ]);

    // Another user on a workflow of their own: a fresh thread.
    const s2 = slug('memory-other');
    await seedWorkflow(db(), other.id, {
      slug: s2,
      nodes: [
        { id: 'chat', type: 'trigger_chat' },
        { id: 'agent', type: 'agent', extra: { conversation_memory: true } },
        modelNode(await createLlmCredential(t, other.key, mock.openaiBase)),
      ],
      edges: [
        { from: 'chat', to: 'agent' },
        { from: 'model', to: 'agent', label: 'llm' },
      ],
    });
    const others = await chat('hello from another user', other.key, s2);
    expect(others.map((m) => m.content)).toEqual(['hello from another user']);
    // The other user cannot chat with (or read the history of) the admin's workflow.
    expect((await t.call('POST', `/api/v1/workflows/${s}/chat/`, other.key, { text: 'x' })).statusCode).toBe(
      404,
    );
    expect((await t.call('GET', `/api/v1/workflows/${s}/chat/history`, other.key)).statusCode).toBe(404);
    expect((await t.call('GET', `/api/v1/workflows/${s}/chat/history`)).statusCode).toBe(401);

    const execRes = await t.call('POST', `/api/v1/workflows/${s}/chat/`, t.admin.key, { text: 'third' });
    await waitForStatus(db(), execRes.json().execution_id, ['completed']);
    const history = await t.call('GET', `/api/v1/workflows/${s}/chat/history?limit=2`, t.admin.key);
    expect(history.statusCode).toBe(200);
    expect(history.json()).toMatchObject({ thread_id: `${t.admin.id}:${wfId}`, has_more: true });
    expect(history.json().messages.map((m: any) => [m.role, m.text])).toEqual([
      ['user', 'third'],
      ['assistant', 'echo: third'],
    ]);
    expect(
      (await t.call('GET', `/api/v1/workflows/${s}/chat/history?before=nonsense`, t.admin.key)).statusCode,
    ).toBe(400);
    const del = await t.call('DELETE', `/api/v1/workflows/${s}/chat/history`, t.admin.key);
    expect(del.statusCode).toBe(204);
    expect((await t.call('GET', `/api/v1/workflows/${s}/chat/history`, t.admin.key)).json().messages).toEqual(
      [],
    );
  });

  it('repairs a dangling tool call in memory instead of wiping the history', async () => {
    const s = slug('repair');
    const wfId = await seedWorkflow(db(), t.admin.id, {
      slug: s,
      nodes: [
        { id: 'chat', type: 'trigger_chat' },
        { id: 'agent', type: 'agent', extra: { conversation_memory: true } },
        modelNode(cred),
        { id: 'calc', type: 'calculator' },
      ],
      edges: [
        { from: 'chat', to: 'agent' },
        { from: 'model', to: 'agent', label: 'llm' },
        { from: 'calc', to: 'agent', label: 'tool' },
      ],
    });
    // A previous run died between the tool call and its result.
    const thread = `${t.admin.id}:${wfId}`;
    const now = new Date().toISOString();
    for (const m of [
      { role: 'user', content: 'earlier question' },
      {
        role: 'assistant',
        content: [
          { type: 'tool-call', toolCallId: 'dangling1', toolName: 'calculate', input: { expression: '1' } },
        ],
      },
    ]) {
      await db()
        .insertInto('conversation_messages')
        .values({
          thread_id: thread,
          role: m.role as 'user',
          content: JSON.stringify(m),
          text: '',
          execution_id: null,
          created_at: now,
        })
        .execute();
    }
    mock.script({ text: 'fine' });
    const res = await t.call('POST', `/api/v1/workflows/${s}/chat/`, t.admin.key, { text: 'next question' });
    const row = await waitForStatus(db(), res.json().execution_id, ['completed', 'failed']);
    expect(row.status, row.error_message ?? '').toBe('completed');
    const sent = mock.requests[0].body.messages;
    expect(sent[0]).toEqual({ role: 'user', content: 'earlier question' });
    expect(sent[2]).toMatchObject({ role: 'tool', tool_call_id: 'dangling1' });
    expect(sent[2].content).toMatch(/interrupted/);
    expect(sent.at(-1)).toEqual({ role: 'user', content: 'next question' });
  });

  it('streams a chat reply to a subscriber of the workflow channel', async () => {
    const s = slug('stream');
    await seedWorkflow(db(), t.admin.id, {
      slug: s,
      nodes: [{ id: 'chat', type: 'trigger_chat' }, { id: 'agent', type: 'agent' }, modelNode(cred)],
      edges: [
        { from: 'chat', to: 'agent' },
        { from: 'model', to: 'agent', label: 'llm' },
      ],
    });
    const events: Array<Record<string, any>> = [];
    const unsubscribe = await t.services.bus.subscribe(workflowChannel(s), (_c, m) => events.push(m));
    const reply = 'Streaming works token by token.';
    mock.script({ text: reply });
    const res = await t.call('POST', `/api/v1/workflows/${s}/chat/`, t.admin.key, { text: 'stream please' });
    const id = res.json().execution_id;
    await waitForStatus(db(), id, ['completed']);
    await new Promise((r) => setTimeout(r, 100));
    await unsubscribe();
    const tokens = events.filter((e) => e.type === 'chat_token' && e.execution_id === id);
    expect(tokens.length).toBeGreaterThan(3);
    expect(tokens.map((e) => e.data.delta).join('')).toBe(reply);
    expect(tokens[0].data.node_id).toBe('agent');
    expect(events.find((e) => e.type === 'chat_message')?.data).toMatchObject({
      node_id: 'agent',
      text: reply,
    });
    expect(events.find((e) => e.type === 'execution_completed')?.data.output).toEqual({ output: reply });
  });

  it('refuses a credential the workflow owner may not use', async () => {
    const other = await t.makeUser();
    const s = slug('foreign-cred');
    // A normal user's workflow pointing at the admin's credential id.
    await seedWorkflow(db(), other.id, {
      slug: s,
      nodes: [{ id: 'start', type: 'trigger_manual' }, { id: 'agent', type: 'agent' }, modelNode(cred)],
      edges: [
        { from: 'start', to: 'agent' },
        { from: 'model', to: 'agent', label: 'llm' },
      ],
    });
    const { row } = await run(s, 'hi', other.key);
    expect(row.status).toBe('failed');
    expect(row.error_message).toMatch(/not usable by this workflow's owner/);
    expect(mock.requests).toHaveLength(0);
  });
});
