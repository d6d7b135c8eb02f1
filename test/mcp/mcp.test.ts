/**
 * The MCP server with the official SDK client, over streamable HTTP (`/mcp` on the app listening on
 * 127.0.0.1) and over stdio (`node bin/pipelit.js mcp`, built by `npm run build`, talking to that
 * same server): list tools, run a workflow and read its result; refused without a key.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, startPipelit } from '../helpers/processes.js';
import { seedWorkflow } from '../helpers/seed-workflow.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const textOf = (res: any) => JSON.parse(res.content[0].text);

describe('MCP server', () => {
  let t: TestApp;
  let base: string;
  const slug = `mcp-${Math.random().toString(36).slice(2, 8)}`;

  beforeAll(async () => {
    t = await createTestApp('sqlite', {}, undefined, { engine: true });
    await seedWorkflow(t.services.database.db, t.admin.id, {
      slug,
      nodes: [
        { id: 'start', type: 'trigger_manual' },
        { id: 'reply', type: 'reply_chat', extra: { message: 'echo: {{ trigger.text }}' } },
      ],
      edges: [{ from: 'start', to: 'reply' }],
    });
    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => t?.close());

  const httpClient = async (key?: string) => {
    const client = new Client({ name: 'test', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(`${base}/mcp`), {
      requestInit: key ? { headers: { authorization: `Bearer ${key}` } } : {},
    });
    await client.connect(transport);
    return client;
  };

  const exercise = async (client: Client) => {
    const { tools } = await client.listTools();
    const names = tools.map((x) => x.name);
    for (const n of [
      'list_workflows',
      'run_workflow',
      'get_execution',
      'list_executions',
      'create_node',
      'create_edge',
      'delete_edge',
    ]) {
      expect(names).toContain(n);
    }
    const list = textOf(await client.callTool({ name: 'list_workflows', arguments: {} }));
    expect(list.items.map((w: any) => w.slug)).toContain(slug);
    const run = await client.callTool({ name: 'run_workflow', arguments: { slug, text: 'hello mcp' } });
    expect(run.isError).toBeFalsy();
    const execution = textOf(run);
    expect(execution.status).toBe('completed');
    expect(execution.final_output).toEqual({ output: 'echo: hello mcp' });
    const again = textOf(
      await client.callTool({ name: 'get_execution', arguments: { execution_id: execution.execution_id } }),
    );
    expect(again.final_output).toEqual({ output: 'echo: hello mcp' });
    return execution.execution_id as string;
  };

  it("over streamable HTTP: lists tools, runs a workflow and reads its result with the caller's rights", async () => {
    const client = await httpClient(t.admin.key);
    await exercise(client);
    const made = textOf(
      await client.callTool({
        name: 'create_node',
        arguments: { slug, component_type: 'wait', node_id: 'pause' },
      }),
    );
    expect(made.node_id).toBe('pause');
    const edge = textOf(
      await client.callTool({
        name: 'create_edge',
        arguments: { slug, source_node_id: 'start', target_node_id: 'pause' },
      }),
    );
    expect(
      textOf(await client.callTool({ name: 'delete_edge', arguments: { slug, edge_id: edge.id } })),
    ).toEqual({ ok: true });
    expect(
      textOf(await client.callTool({ name: 'delete_node', arguments: { slug, node_id: 'pause' } })),
    ).toEqual({ ok: true });
    await client.close();

    // Another user sees nothing of the admin's workflow.
    const user = await t.makeUser('normal');
    const other = await httpClient(user.key);
    const denied = await other.callTool({ name: 'run_workflow', arguments: { slug, text: 'x' } });
    expect(denied.isError).toBe(true);
    expect(textOf(denied)).toEqual({ error: { detail: 'Workflow not found.' }, status_code: 404 });
    expect(textOf(await other.callTool({ name: 'list_workflows', arguments: {} })).items).toEqual([]);
    await other.close();
  });

  it('over streamable HTTP behind a host allow-list: the inner API calls keep the outer Host', async () => {
    const strict = await createTestApp('sqlite', { ALLOWED_HOSTS: '127.0.0.1' });
    try {
      const url = await strict.app.listen({ host: '127.0.0.1', port: 0 });
      const client = new Client({ name: 'test', version: '1.0.0' });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
          requestInit: { headers: { authorization: `Bearer ${strict.admin.key}` } },
        }),
      );
      const me = await client.callTool({ name: 'whoami', arguments: {} });
      expect(me.isError).toBeFalsy();
      expect(textOf(me).username).toBe('admin');
      await client.close();
    } finally {
      await strict.close();
    }
  });

  it('over streamable HTTP without a key (or a wrong one) is refused', async () => {
    await expect(httpClient()).rejects.toThrow(/Invalid or missing API key/);
    await expect(httpClient('not-a-key')).rejects.toThrow(/Invalid or missing API key/);
    const raw = await fetch(`${base}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(raw.status).toBe(401);
    for (const method of ['GET', 'DELETE']) {
      expect((await fetch(`${base}/mcp`, { method })).status).toBe(401);
      const withKey = await fetch(`${base}/mcp`, {
        method,
        headers: { authorization: `Bearer ${t.admin.key}` },
      });
      expect(withKey.status).toBe(405);
    }
  });

  it('over stdio (`pipelit mcp`): lists tools, runs a workflow and reads its result; refused without a key', async (ctx) => {
    if (!existsSync(join(ROOT, 'dist', 'cli', 'mcp.js'))) {
      console.log('stdio MCP test skipped: dist/ is not built (run `npm run build`)');
      ctx.skip();
      return;
    }
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PLATFORM_BASE_URL: base };
    const client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [BIN, 'mcp'],
        env: { ...env, PLATFORM_API_KEY: t.admin.key },
        stderr: 'pipe',
      }),
    );
    await exercise(client);
    await client.close();

    // Not spawnSync: the server these children call runs in this process.
    const noKey = startPipelit(['mcp'], { cwd: ROOT, env });
    expect((await noKey.exited).code).toBe(2);
    expect(noKey.output()).toContain('an API key is required');
    const badKey = startPipelit(['mcp', '--api-key', 'wrong-key'], { cwd: ROOT, env });
    expect((await badKey.exited).code).toBe(2);
    expect(badKey.output()).toContain('the API key was refused');
  });
});
