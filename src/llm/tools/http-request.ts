/**
 * `http_request(url, method?, body?)` → `HTTP <code>\n<body ≤ 4000 chars>` through the guarded
 * client (private, loopback and metadata addresses refused unless allow-listed).
 */
import { createGuardedFetch } from '../../sandbox/guarded-http.js';
import { type AgentTool, errorText, obj, type ToolFactory } from './types.js';

const BODY_LIMIT = 4000;

export const httpRequestTool: ToolFactory = (b): AgentTool[] => {
  const fetch = createGuardedFetch({ allowlist: b.ai.deps.settings.outboundAllowlist ?? [] });
  const defaultMethod = String(b.config.method ?? 'GET');
  const headers = (b.config.headers ?? {}) as Record<string, string>;
  const timeoutMs = Number(b.config.timeout ?? 30) * 1000;
  return [
    {
      name: 'http_request',
      description: 'Make an HTTP request to a public URL and return the status and the start of the body.',
      parameters: obj(
        {
          url: { type: 'string', description: 'http:// or https:// URL' },
          method: { type: 'string', enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] },
          body: { type: 'string', description: 'Request body (JSON or text)' },
        },
        ['url'],
      ),
      nodeId: b.toolNode.nodeId,
      async execute(args, run) {
        const method = String(args.method || defaultMethod).toUpperCase();
        const body = typeof args.body === 'string' && args.body && method !== 'GET' ? args.body : undefined;
        const h: Record<string, string> = { ...headers };
        if (body && !Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) {
          h['content-type'] = /^\s*[[{]/.test(body) ? 'application/json' : 'text/plain';
        }
        try {
          const res = await fetch(String(args.url ?? ''), {
            method,
            headers: h,
            body,
            signal: AbortSignal.any([run.signal, AbortSignal.timeout(timeoutMs)]),
          });
          const text = await res.text();
          return `HTTP ${res.status}\n${text.slice(0, BODY_LIMIT)}`;
        } catch (err) {
          if (run.signal.aborted) throw err;
          return errorText(err);
        }
      },
    },
  ];
};
