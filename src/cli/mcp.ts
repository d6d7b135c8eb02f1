/**
 * `pipelit mcp`: the MCP server over stdio for coding assistants (spec §12.5). It talks to a
 * running Pipelit server (`--base-url` or PLATFORM_BASE_URL, default http://127.0.0.1:8000) through
 * the REST API, so it has exactly the permissions of its API key (`--api-key` or PLATFORM_API_KEY) —
 * required: without one, or with one the server refuses, it exits before serving anything.
 * stdout carries the protocol; messages go to stderr.
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { fetchCaller } from '../mcp/api-caller.js';
import { buildMcpServer } from '../mcp/build-mcp-server.js';
import { UsageError } from './fail.js';

export interface McpOptions {
  apiKey?: string;
  baseUrl?: string;
}

export async function mcpCommand(opts: McpOptions): Promise<void> {
  const apiKey = opts.apiKey || process.env.PLATFORM_API_KEY || '';
  if (!apiKey) throw new UsageError('an API key is required: pass --api-key or set PLATFORM_API_KEY.');
  const baseUrl = opts.baseUrl || process.env.PLATFORM_BASE_URL || 'http://127.0.0.1:8000';
  const api = fetchCaller(baseUrl, apiKey);
  let me: Awaited<ReturnType<typeof api>>;
  try {
    me = await api('GET', '/api/v1/users/me');
  } catch (err) {
    throw new Error(`cannot reach the Pipelit server at ${baseUrl}: ${(err as Error).message}`);
  }
  if (me.status === 401 || me.status === 403) throw new UsageError('the API key was refused by the server.');
  if (me.status >= 400) throw new Error(`the Pipelit server at ${baseUrl} answered ${me.status}.`);
  const server = buildMcpServer(api);
  await server.connect(new StdioServerTransport());
  process.stderr.write(`pipelit mcp: serving ${baseUrl} over stdio\n`);
  await new Promise<void>((resolve) => {
    process.stdin.on('close', resolve);
    process.stdin.on('end', resolve);
  });
  await server.close();
}
