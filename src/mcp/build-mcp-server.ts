/**
 * The platform as MCP tools (spec §12.5, server name `aichat-platform`): workflows, nodes, edges,
 * executions, chat history, credentials and node types — plus `run_workflow`, which starts a
 * workflow's manual trigger and can wait for its result. Every tool goes through the REST API with
 * the caller's key; answers are JSON text, HTTP errors `{"error", "status_code"}`, 204 `{"ok": true}`.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { VERSION } from '../version.js';
import type { ApiCaller, ApiResponse } from './api-caller.js';

const enc = encodeURIComponent;

function answer(res: ApiResponse) {
  let value: unknown;
  if (res.status === 204) value = { ok: true };
  else if (res.status >= 400) value = { error: res.body, status_code: res.status };
  else value = res.body;
  return {
    content: [{ type: 'text' as const, text: JSON.stringify(value, null, 2) }],
    ...(res.status >= 400 ? { isError: true } : {}),
  };
}

const FINISHED = new Set(['completed', 'failed', 'cancelled', 'interrupted']);

export function buildMcpServer(api: ApiCaller): McpServer {
  const server = new McpServer({ name: 'aichat-platform', version: VERSION });
  const tool = <S extends z.ZodRawShape>(
    name: string,
    description: string,
    shape: S,
    run: (args: z.infer<z.ZodObject<S>>) => Promise<ApiResponse>,
  ) => {
    server.registerTool(name, { description, inputSchema: shape }, (async (args: z.infer<z.ZodObject<S>>) =>
      answer(await run(args))) as never);
  };

  tool('whoami', 'The user this API key belongs to.', {}, () => api('GET', '/api/v1/users/me'));
  tool('list_workflows', 'List the workflows you can see.', {}, () =>
    api('GET', '/api/v1/workflows/?limit=200'),
  );
  tool('get_workflow', 'One workflow with its nodes and edges.', { slug: z.string() }, (a) =>
    api('GET', `/api/v1/workflows/${enc(a.slug)}/`),
  );
  tool('list_nodes', 'The nodes of a workflow.', { slug: z.string() }, (a) =>
    api('GET', `/api/v1/workflows/${enc(a.slug)}/nodes/`),
  );
  tool('list_edges', 'The edges of a workflow.', { slug: z.string() }, (a) =>
    api('GET', `/api/v1/workflows/${enc(a.slug)}/edges/`),
  );
  tool('list_credentials', 'Your credentials (secrets masked).', {}, () =>
    api('GET', '/api/v1/credentials/'),
  );
  tool('get_node_types', 'Every node type with its ports and config.', {}, () =>
    api('GET', '/api/v1/workflows/node-types/'),
  );
  tool(
    'list_executions',
    'Recent executions, optionally of one workflow or with one status.',
    { workflow_slug: z.string().optional(), status: z.string().optional() },
    (a) => {
      const q = new URLSearchParams();
      if (a.workflow_slug) q.set('workflow_slug', a.workflow_slug);
      if (a.status) q.set('status', a.status);
      return api('GET', `/api/v1/executions/?${q}`);
    },
  );
  tool(
    'get_execution',
    'One execution with its node results and final output.',
    { execution_id: z.string() },
    (a) => api('GET', `/api/v1/executions/${enc(a.execution_id)}/`),
  );
  tool(
    'get_chat_history',
    'The chat history of a workflow.',
    { slug: z.string(), limit: z.number().int().min(1).max(200).default(10) },
    (a) => api('GET', `/api/v1/workflows/${enc(a.slug)}/chat/history?limit=${a.limit}`),
  );
  tool(
    'run_workflow',
    "Start a workflow's manual trigger with a text (and optional payload). With wait_seconds > 0, wait that long for it to finish and return the execution.",
    {
      slug: z.string(),
      text: z.string().default(''),
      payload: z.record(z.string(), z.unknown()).optional(),
      trigger_node_id: z.string().optional(),
      wait_seconds: z.number().min(0).max(300).default(30),
    },
    async (a) => {
      const started = await api('POST', `/api/v1/workflows/${enc(a.slug)}/execute/`, {
        text: a.text,
        ...(a.payload ? { payload: a.payload } : {}),
        ...(a.trigger_node_id ? { trigger_node_id: a.trigger_node_id } : {}),
      });
      const id = (started.body as { execution_id?: string } | null)?.execution_id;
      if (started.status >= 400 || !id || !a.wait_seconds) return started;
      const deadline = Date.now() + a.wait_seconds * 1000;
      for (;;) {
        const res = await api('GET', `/api/v1/executions/${enc(id)}/`);
        const status = (res.body as { status?: string } | null)?.status ?? '';
        if (res.status >= 400 || FINISHED.has(status) || Date.now() >= deadline) return res;
        await new Promise((r) => setTimeout(r, 250));
      }
    },
  );
  tool(
    'create_node',
    'Add a node to a workflow.',
    {
      slug: z.string(),
      component_type: z.string(),
      node_id: z.string().optional(),
      position_x: z.number().default(0),
      position_y: z.number().default(0),
      config: z.record(z.string(), z.unknown()).optional(),
    },
    (a) =>
      api('POST', `/api/v1/workflows/${enc(a.slug)}/nodes/`, {
        component_type: a.component_type,
        ...(a.node_id ? { node_id: a.node_id } : {}),
        position_x: a.position_x,
        position_y: a.position_y,
        ...(a.config ? { config: a.config } : {}),
      }),
  );
  tool(
    'update_node',
    "Change a node's config, position or label.",
    {
      slug: z.string(),
      node_id: z.string(),
      config: z.record(z.string(), z.unknown()).optional(),
      position_x: z.number().optional(),
      position_y: z.number().optional(),
      label: z.string().optional(),
    },
    ({ slug, node_id, ...rest }) =>
      api('PATCH', `/api/v1/workflows/${enc(slug)}/nodes/${enc(node_id)}/`, JSON.parse(JSON.stringify(rest))),
  );
  tool('delete_node', 'Remove a node (and its edges).', { slug: z.string(), node_id: z.string() }, (a) =>
    api('DELETE', `/api/v1/workflows/${enc(a.slug)}/nodes/${enc(a.node_id)}/`),
  );
  tool(
    'create_edge',
    'Connect two nodes.',
    {
      slug: z.string(),
      source_node_id: z.string(),
      target_node_id: z.string(),
      edge_type: z.enum(['direct', 'conditional']).default('direct'),
      edge_label: z.string().default(''),
      condition_mapping: z.record(z.string(), z.unknown()).optional(),
      condition_value: z.string().default(''),
    },
    ({ slug, ...edge }) =>
      api('POST', `/api/v1/workflows/${enc(slug)}/edges/`, JSON.parse(JSON.stringify(edge))),
  );
  tool(
    'update_edge',
    'Change an edge.',
    {
      slug: z.string(),
      edge_id: z.number().int(),
      condition_mapping: z.record(z.string(), z.unknown()).optional(),
      edge_type: z.enum(['direct', 'conditional']).optional(),
      edge_label: z.string().optional(),
    },
    ({ slug, edge_id, ...rest }) =>
      api('PATCH', `/api/v1/workflows/${enc(slug)}/edges/${edge_id}/`, JSON.parse(JSON.stringify(rest))),
  );
  tool('delete_edge', 'Remove an edge.', { slug: z.string(), edge_id: z.number().int() }, (a) =>
    api('DELETE', `/api/v1/workflows/${enc(a.slug)}/edges/${a.edge_id}/`),
  );
  tool('validate_workflow', 'Check a workflow for errors.', { slug: z.string() }, (a) =>
    api('POST', `/api/v1/workflows/${enc(a.slug)}/validate/`),
  );
  return server;
}
