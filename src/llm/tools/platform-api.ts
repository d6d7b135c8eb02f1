/**
 * `platform_api(method, path, body)`: calls this platform's own REST API in-process (Fastify
 * `inject`, never a network base URL) with a short-lived key of the workflow's OWNER, revoked right
 * after the call — the agent acts with its owner's rights and nothing more.
 */
import type { FastifyInstance } from 'fastify';
import { issueApiKey } from '../../auth/issue-api-key.js';
import type { Services } from '../../services.js';
import { type AgentTool, obj, type ToolBuildContext, type ToolFactory } from './types.js';

const apps = new WeakMap<Services, Promise<FastifyInstance>>();

/** The app used for in-process dispatch (built once per process, without the SPA). */
function appFor(services: Services): Promise<FastifyInstance> {
  let app = apps.get(services);
  if (!app) {
    // Imported lazily: the API imports the node registry, which imports this tool.
    app = import('../../api/app.js').then((m) => m.buildApp(services, { serveSpa: false }));
    apps.set(services, app);
  }
  return app;
}

const METHODS = new Set(['GET', 'POST', 'PATCH', 'PUT', 'DELETE']);

/** One in-process API call as the workflow's owner, with a key that lives only for this call. */
export async function callPlatformApi(b: ToolBuildContext, method: string, path: string, payload?: unknown) {
  const db = b.ai.db;
  const expires = new Date(Date.now() + 5 * 60_000).toISOString();
  const { row, key } = await issueApiKey(
    db,
    b.ai.workflow.ownerId,
    `platform_api:${b.ai.execution.id.slice(0, 8)}`,
    expires,
  );
  try {
    const app = await appFor(b.ai.deps);
    const res = await app.inject({
      method: method as 'GET',
      url: path,
      headers: {
        authorization: `Bearer ${key}`,
        ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
    });
    let data: unknown = res.body;
    try {
      data = res.body ? JSON.parse(res.body) : null;
    } catch {
      // not JSON: keep the text
    }
    const success = res.statusCode < 400;
    return {
      status_code: res.statusCode,
      success,
      data,
      ...(success ? {} : { error: `HTTP ${res.statusCode}` }),
    };
  } finally {
    await db.deleteFrom('api_keys').where('id', '=', row.id).execute();
  }
}

export const platformApiTool: ToolFactory = (b): AgentTool[] => [
  {
    name: 'platform_api',
    description:
      "Call Pipelit's own REST API (paths under /api/v1/…) as your workflow's owner. Returns {status_code, success, data}.",
    parameters: obj(
      {
        method: { type: 'string', enum: [...METHODS] },
        path: { type: 'string', description: 'e.g. /api/v1/workflows/' },
        body: { type: 'string', description: 'JSON body' },
      },
      ['path'],
    ),
    nodeId: b.toolNode.nodeId,
    async execute(args) {
      const method = String(args.method || 'GET').toUpperCase();
      if (!METHODS.has(method))
        return JSON.stringify({ success: false, error: `Unsupported method ${method}` });
      const path = String(args.path || '/');
      if (!path.startsWith('/') || path.startsWith('//')) {
        return JSON.stringify({
          success: false,
          error: 'path must be a path on this platform, starting with /',
        });
      }
      let payload: unknown;
      if (typeof args.body === 'string' && args.body.trim()) {
        try {
          payload = JSON.parse(args.body);
        } catch {
          return JSON.stringify({ success: false, error: 'body is not valid JSON' });
        }
      }
      return JSON.stringify(await callPlatformApi(b, method, path, payload));
    },
  },
];
