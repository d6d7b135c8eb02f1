/**
 * The web app's session cookie. A login (password, MFA step, or first-run setup) that asks for it
 * with `X-Pipelit-Session: cookie` gets its `session` key in an httpOnly cookie instead of the
 * response body: page scripts never hold the key, so an injected script cannot carry it off
 * (spec §16.33). API clients keep sending `Authorization: Bearer <key>`, as the reference's do.
 *
 * Cross-site requests cannot use the cookie:
 * - it is SameSite=Strict, so other sites' pages do not send it at all;
 * - it authenticates a request only together with the X-Pipelit-Session header. Another origin (even
 *   on the same site, e.g. another port) can send that header only after a CORS preflight, and
 *   Pipelit never allows credentials cross-origin (`credentials: false` in app.ts);
 * - a WebSocket upgrade cannot carry the header, so there the page's Origin must be this Host.
 */
import { parseCookie, stringifySetCookie } from 'cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const SESSION_COOKIE = 'pipelit_session';
export const SESSION_HEADER = 'x-pipelit-session';

/** The request asks for (or authenticates with) the session cookie. */
export function usesSessionCookie(request: FastifyRequest): boolean {
  return request.headers[SESSION_HEADER] === 'cookie';
}

/** The session cookie's value in the request's Cookie header, if any (parsed only when asked). */
function cookieKey(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  return header ? parseCookie(header)[SESSION_COOKIE] || undefined : undefined;
}

/** The key in the session cookie of a web-app request (one that carries the header); else none. */
export function sessionKeyFrom(request: FastifyRequest): string | undefined {
  return usesSessionCookie(request) ? cookieKey(request) : undefined;
}

/** The key in the session cookie of a WebSocket upgrade from a page of this origin; else none. */
export function sessionKeyOfUpgrade(request: FastifyRequest): string | undefined {
  const { origin, host } = request.headers;
  if (!origin || !host) return undefined;
  try {
    if (new URL(origin).host !== host) return undefined;
  } catch {
    return undefined;
  }
  return cookieKey(request);
}

function writeSessionCookie(reply: FastifyReply, value: string, extra: { secure?: boolean; expires?: Date }) {
  reply.header(
    'set-cookie',
    stringifySetCookie({
      name: SESSION_COOKIE,
      value,
      httpOnly: true,
      sameSite: 'strict',
      path: '/',
      ...extra,
    }),
  );
}

export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, key: string): void {
  // Over TLS (directly, or X-Forwarded-Proto from a trusted proxy) the browser keeps it to HTTPS.
  writeSessionCookie(reply, key, { secure: request.protocol === 'https' });
}

export function clearSessionCookie(reply: FastifyReply): void {
  writeSessionCookie(reply, '', { expires: new Date(0) });
}

/**
 * What a login answers: the key in the body for API clients, or — for the web app — in the cookie,
 * with an empty `key` in the body.
 */
export function deliverSessionKey(request: FastifyRequest, reply: FastifyReply, key: string): string {
  if (!usesSessionCookie(request)) return key;
  setSessionCookie(request, reply, key);
  return '';
}
