/**
 * MCP over streamable HTTP at `/mcp` (stateless: one server and transport per request). The
 * bearer API key is checked like on every other route (401 without one), and the tools call the
 * REST API in-process with that same key, so an MCP client has exactly the caller's permissions.
 * `GET`/`DELETE /mcp` (server-initiated streams, sessions) answer 405: there are no sessions.
 */
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { FastifyInstance } from 'fastify';
import { bearerFrom } from '../../auth/verify-api-key.js';
import { injectCaller } from '../../mcp/api-caller.js';
import { buildMcpServer } from '../../mcp/build-mcp-server.js';
import { requireAuthentication } from '../guards.js';

const notAllowed = {
  jsonrpc: '2.0',
  error: { code: -32000, message: 'Method not allowed: this MCP endpoint is stateless (POST only).' },
  id: null,
};

export async function mcpRoutes(app: FastifyInstance): Promise<void> {
  requireAuthentication(app);

  app.post('/', async (request, reply) => {
    const key = bearerFrom(request.headers.authorization) ?? '';
    const server = buildMcpServer(
      injectCaller(app, key, { host: request.headers.host, remoteAddress: request.ip }),
    );
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    reply.hijack();
    reply.raw.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(request.raw, reply.raw, request.body);
  });

  for (const method of ['GET', 'DELETE'] as const) {
    app.route({
      method,
      url: '/',
      handler: async (_request, reply) => {
        reply.status(405).header('allow', 'POST');
        return notAllowed;
      },
    });
  }
}
