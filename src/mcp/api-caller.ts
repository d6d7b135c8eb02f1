/**
 * How MCP tools reach the platform: through its own REST API, with the caller's API key, so every
 * tool has exactly the caller's permissions. Two implementations: `injectCaller` (the HTTP MCP route,
 * in-process) and `fetchCaller` (the stdio server, against a running server).
 */
import type { FastifyInstance } from 'fastify';

export interface ApiResponse {
  status: number;
  body: unknown;
}

export type ApiCaller = (
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
) => Promise<ApiResponse>;

const parse = (text: string): unknown => {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

/**
 * Calls the app in-process. `from` carries the outer request's Host header and client address, so
 * the host allow-list and per-address rate limits judge the inner calls like the MCP request itself.
 */
export function injectCaller(
  app: FastifyInstance,
  apiKey: string,
  from: { host?: string; remoteAddress?: string } = {},
): ApiCaller {
  return async (method, path, body) => {
    const res = await app.inject({
      method,
      url: path,
      headers: {
        authorization: `Bearer ${apiKey}`,
        'content-type': 'application/json',
        ...(from.host ? { host: from.host } : {}),
      },
      ...(from.remoteAddress ? { remoteAddress: from.remoteAddress } : {}),
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
    return { status: res.statusCode, body: parse(res.body) };
  };
}

export function fetchCaller(baseUrl: string, apiKey: string, timeoutMs = 30_000): ApiCaller {
  const base = baseUrl.replace(/\/+$/, '');
  return async (method, path, body) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { status: res.status, body: parse(await res.text()) };
  };
}
