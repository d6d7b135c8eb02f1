/**
 * Tools wired into an agent, through the engine: sandboxed run_command (workspace confinement, no
 * network), http_request through the SSRF guard, web_search on SearXNG, whoami/platform_api as the
 * owner, spawn_and_await with ordered child results, a deep agent's confined files — and the
 * gateway inbound webhook with its reply delivery.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getEnvironment } from '../../src/sandbox/environment.js';
import { type MockLlmServer, startMockLlmServer } from '../helpers/mock-llm-server.js';
import { nodeRows, seedWorkflow, waitForStatus } from '../helpers/seed-workflow.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { createLlmCredential, modelNode } from './llm-helpers.js';

describe('agent tools', () => {
  let t: TestApp;
  let mock: MockLlmServer;
  let cred: number;
  let side: Server;
  let sidePort: number;
  let tcp: TcpServer;
  let tcpPort: number;
  const sent: Array<{ auth?: string; body: any }> = [];
  let n = 0;
  beforeAll(async () => {
    mock = await startMockLlmServer();
    // A stand-in for SearXNG and the messaging gateway.
    side = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      if (req.url?.startsWith('/search')) {
        const q = new URL(req.url, 'http://x').searchParams.get('q');
        res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            results: [{ title: `About ${q}`, content: 'snippet', url: 'https://example.org/a' }],
          }),
        );
        return;
      }
      if (req.url === '/api/v1/send') {
        sent.push({ auth: req.headers.authorization, body: JSON.parse(Buffer.concat(chunks).toString()) });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
        return;
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => side.listen(0, '127.0.0.1', r));
    sidePort = (side.address() as { port: number }).port;
    tcp = createTcpServer((s) => s.end('hello from the host\n'));
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
    tcpPort = (tcp.address() as { port: number }).port;
    t = await createTestApp(
      'sqlite',
      {
        OUTBOUND_ALLOWLIST: '127.0.0.1',
        GATEWAY_URL: `http://127.0.0.1:${sidePort}`,
        GATEWAY_SEND_TOKEN: 'send-token',
        GATEWAY_INBOUND_TOKEN: 'inbound-token',
      },
      undefined,
      { engine: true },
    );
    cred = await createLlmCredential(t, t.admin.key, mock.openaiBase);
  });
  afterAll(async () => {
    await t?.close();
    await mock?.close();
    await new Promise<void>((r) => side.close(() => r()));
    await new Promise<void>((r) => tcp.close(() => r()));
  });
  beforeEach(() => mock.reset());

  const db = () => t.services.database.db;
  const graph = async (
    tools: Array<{ id: string; type: string; extra?: Record<string, unknown> }>,
    agentExtra: Record<string, unknown> = {},
    type = 'agent',
  ) => {
    const slug = `tools-${++n}`;
    await seedWorkflow(db(), t.admin.id, {
      slug,
      nodes: [
        { id: 'start', type: 'trigger_manual' },
        { id: 'agent', type, extra: agentExtra },
        modelNode(cred),
        ...tools,
      ],
      edges: [
        { from: 'start', to: 'agent' },
        { from: 'model', to: 'agent', label: 'llm' },
        ...tools.map((tool) => ({ from: tool.id, to: 'agent', label: 'tool' })),
      ],
    });
    return slug;
  };
  const run = async (slug: string, text = 'go') => {
    const res = await t.call('POST', `/api/v1/workflows/${slug}/execute/`, t.admin.key, { text });
    const id = res.json().execution_id as string;
    return { id, row: await waitForStatus(db(), id, ['completed', 'failed'], 30_000) };
  };
  /** What the tools answered, as the model saw it in its last request. */
  const toolAnswers = () =>
    (mock.requests.at(-1)?.body.messages ?? [])
      .filter((m: any) => m.role === 'tool')
      .map((m: any) => m.content as string);

  it('run_command stays inside its workspace and has no network when the workspace forbids it', async (ctx) => {
    const env = await getEnvironment('auto');
    const outside = mkdtempSync(join(tmpdir(), 'pipelit-outside-'));
    writeFileSync(join(outside, 'secret.txt'), 'TOP-SECRET');
    const wsPath = join(t.services.settings.dataDir, 'workspaces', `ws-${n}`);
    mkdirSync(wsPath, { recursive: true });
    const ws = await db()
      .insertInto('workspaces')
      .values({
        user_id: t.admin.id,
        name: `ws-${n}`,
        path: wsPath,
        allow_network: false,
        env_vars: '[]',
        created_at: new Date().toISOString(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const slug = await graph([{ id: 'sh', type: 'run_command', extra: { timeout: 20 } }], {
      workspace_id: ws.id,
    });
    mock.script(
      {
        toolCalls: [
          {
            name: 'run_command',
            args: { command: `echo inside > made.txt; pwd; cat ${outside}/secret.txt` },
          },
        ],
      },
      {
        toolCalls: [
          { name: 'run_command', args: { command: `exec 3<>/dev/tcp/127.0.0.1/${tcpPort} && cat <&3` } },
        ],
      },
      { text: 'done' },
    );
    const { row } = await run(slug);
    expect(row.status, row.error_message ?? '').toBe('completed');
    const [first, second] = toolAnswers();
    if (!env.gate.passed) {
      console.log(`sandbox checks skipped: ${env.gate.blocked_reason}`);
      expect(first).toContain(env.gate.blocked_reason ?? 'bwrap');
      ctx.skip();
      return;
    }
    expect(first).toContain('/workspace');
    expect(first).not.toContain('TOP-SECRET');
    expect(first).toMatch(/\[exit code: 1\]/);
    expect(second).not.toContain('hello from the host');
    expect(second).toMatch(/\[exit code: \d+\]/);
  });

  it('run_command without a workspace answers with a clear error', async () => {
    const slug = await graph([{ id: 'sh', type: 'run_command' }]);
    mock.script({ toolCalls: [{ name: 'run_command', args: { command: 'ls' } }] }, { text: 'ok' });
    await run(slug);
    expect(toolAnswers()[0]).toMatch(/requires a workspace/);
  });

  it('http_request goes through the SSRF guard; web_search reads SearXNG', async () => {
    const slug = await graph([
      { id: 'http', type: 'http_request' },
      { id: 'search', type: 'web_search', extra: { searxng_url: `http://127.0.0.1:${sidePort}` } },
    ]);
    mock.script(
      {
        toolCalls: [
          { name: 'http_request', args: { url: 'http://169.254.169.254/latest/meta-data/' } },
          { name: 'http_request', args: { url: `http://127.0.0.1:${sidePort}/nothing` } },
          { name: 'web_search', args: { query: 'pipelit' } },
        ],
      },
      { text: 'ok' },
    );
    const { row } = await run(slug);
    expect(row.status, row.error_message ?? '').toBe('completed');
    const [meta, local, search] = toolAnswers();
    expect(meta).toMatch(
      /^Error: Outbound request to 169\.254\.169\.254 refused: 169\.254\.169\.254 is a linkLocal address/,
    );
    expect(local).toBe('HTTP 404\n');
    expect(search).toBe('**About pipelit**\nsnippet\nURL: https://example.org/a');
  });

  it('whoami and platform_api act as the workflow owner', async () => {
    const slug = await graph([
      { id: 'me', type: 'whoami' },
      { id: 'api', type: 'platform_api' },
    ]);
    mock.script(
      {
        toolCalls: [
          { name: 'whoami', args: {} },
          { name: 'platform_api', args: { method: 'GET', path: `/api/v1/workflows/${slug}/` } },
          { name: 'platform_api', args: { method: 'GET', path: '/api/v1/auth/me/' } },
        ],
      },
      { text: 'ok' },
    );
    const { row } = await run(slug);
    expect(row.status, row.error_message ?? '').toBe('completed');
    const [who, wf, me] = toolAnswers().map((a: string) => JSON.parse(a));
    expect(who.identity).toMatchObject({ workflow_slug: slug, node_id: 'agent', component_type: 'agent' });
    expect(wf).toMatchObject({ status_code: 200, success: true });
    expect(wf.data.slug).toBe(slug);
    expect(me.data.username).toBe('admin');
    // The short-lived key is gone afterwards.
    const keys = await db()
      .selectFrom('api_keys')
      .select('name')
      .where('name', 'like', 'platform_api:%')
      .execute();
    expect(keys).toEqual([]);
  });

  it('spawn_and_await runs children and resumes the agent with their results in order', async () => {
    await seedWorkflow(db(), t.admin.id, {
      slug: 'echo-task',
      nodes: [
        { id: 'called', type: 'trigger_workflow' },
        { id: 'say', type: 'reply_chat', extra: { message: 'did {{ trigger.text }}' } },
      ],
      edges: [{ from: 'called', to: 'say' }],
    });
    const slug = await graph([{ id: 'spawn', type: 'spawn_and_await' }]);
    mock.script(
      {
        toolCalls: [
          {
            name: 'spawn_and_await',
            args: {
              tasks: [
                { workflow_slug: 'echo-task', input_text: 'one' },
                { workflow_slug: 'echo-task', input_text: 'two' },
              ],
            },
          },
        ],
        usage: { input: 10, output: 5 },
      },
      { text: 'both done', usage: { input: 20, output: 5 } },
    );
    const { id, row } = await run(slug);
    expect(row.status, row.error_message ?? '').toBe('completed');
    expect(JSON.parse(toolAnswers()[0])).toEqual([{ output: 'did one' }, { output: 'did two' }]);
    const nodes = await nodeRows(db(), id);
    expect(nodes.agent.out.output).toBe('both done');
    expect(nodes.agent.input_tokens).toBe(30);
    expect(nodes.agent.llm_calls).toBe(2);
  });

  it('a deep agent plans, writes files only inside its workspace and delegates to a sub-agent', async () => {
    const wsPath = join(t.services.settings.dataDir, 'workspaces', `deep-${n}`);
    mkdirSync(join(wsPath, 'sub'), { recursive: true });
    const ws = await db()
      .insertInto('workspaces')
      .values({
        user_id: t.admin.id,
        name: `deep-${n}`,
        path: wsPath,
        allow_network: false,
        env_vars: '[]',
        created_at: new Date().toISOString(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const slug = await graph(
      [],
      {
        workspace_id: ws.id,
        subagents: [{ name: 'writer', description: 'writes text', system_prompt: 'You write.' }],
      },
      'deep_agent',
    );
    mock.script(
      {
        toolCalls: [
          { name: 'write_todos', args: { todos: [{ content: 'write notes', status: 'in_progress' }] } },
          { name: 'write_file', args: { path: 'sub/notes.txt', content: 'hello' } },
          { name: 'write_file', args: { path: '../escape.txt', content: 'bad' } },
          { name: 'read_file', args: { path: '/etc/passwd' } },
          { name: 'task', args: { subagent_type: 'writer', description: 'write a haiku' } },
        ],
      },
      { text: 'a haiku from the sub-agent' },
      { text: 'all done' },
    );
    const { row } = await run(slug);
    expect(row.status, row.error_message ?? '').toBe('completed');
    const [todos, wrote, escaped, passwd, task] = toolAnswers();
    expect(todos).toMatch(/Plan updated/);
    expect(wrote).toBe('Wrote sub/notes.txt');
    expect(escaped).toMatch(/outside the workspace/);
    expect(passwd).toMatch(/Error/);
    expect(passwd).not.toContain('root:');
    expect(task).toBe('a haiku from the sub-agent');
    expect(mock.requests[1].body.messages[0]).toEqual({ role: 'system', content: 'You write.' });
  });

  it('gateway inbound starts the routed trigger and delivers the reply to the gateway', async () => {
    await seedWorkflow(db(), t.admin.id, {
      slug: 'gw-flow',
      nodes: [{ id: 'chat', type: 'trigger_chat' }, { id: 'agent', type: 'agent' }, modelNode(cred)],
      edges: [
        { from: 'chat', to: 'agent' },
        { from: 'model', to: 'agent', label: 'llm' },
      ],
    });
    const message = {
      route: { workflow_slug: 'gw-flow', trigger_node_id: 'chat' },
      credential_id: 'tg-bot',
      source: {
        protocol: 'telegram',
        chat_id: '42',
        message_id: '7',
        from: { id: '999', username: 'alice' },
      },
      text: 'hello bot',
      attachments: [{ filename: 'a.png', mime_type: 'image/png', download_url: 'https://files/a.png' }],
      timestamp: new Date().toISOString(),
    };
    const inject = (token: string | null, body: unknown) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/inbound',
        headers: token ? { authorization: `Bearer ${token}` } : {},
        payload: body as object,
      });
    expect((await inject(null, message)).statusCode).toBe(401);
    expect((await inject('wrong', message)).json()).toEqual({ detail: 'Invalid gateway token' });
    expect((await inject('inbound-token', { ...message, route: {} })).statusCode).toBe(422);
    expect(
      (await inject('inbound-token', { ...message, route: { workflow_slug: 'nope', trigger_node_id: 'x' } }))
        .statusCode,
    ).toBe(404);

    mock.script({ text: 'hi alice' });
    const res = await inject('inbound-token', message);
    expect(res.statusCode, res.body).toBe(202);
    const row = await waitForStatus(db(), res.json().execution_id, ['completed', 'failed']);
    expect(row.status, row.error_message ?? '').toBe('completed');
    expect(JSON.parse(row.trigger_payload)).toMatchObject({
      chat_id: '42',
      credential_id: 'tg-bot',
      user_id: '999',
    });
    expect(mock.requests[0].body.messages.at(-1).content).toBe(
      'hello bot\n[Attached file: a.png | url: https://files/a.png | type: image/png]',
    );
    for (let i = 0; i < 100 && sent.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(sent).toEqual([
      {
        auth: 'Bearer send-token',
        body: { credential_id: 'tg-bot', chat_id: '42', text: 'hi alice', reply_to_message_id: '7' },
      },
    ]);
    const user = await db()
      .selectFrom('users')
      .select(['username'])
      .where('external_user_id', '=', '999')
      .executeTakeFirst();
    expect(user?.username).toBe('alice');
    const confirm = await inject('inbound-token', { ...message, text: '/confirm_deadbeef' });
    expect(confirm.json()).toEqual({ status: 'not_found', task_id: 'deadbeef' });
  });
});
