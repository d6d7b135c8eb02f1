/**
 * The web app's session cookie (src/auth/session-cookie.ts): set by a login that asks for it, never
 * readable by page scripts, usable only together with the X-Pipelit-Session header (no CSRF), on
 * WebSockets only from a page of this origin, and ended by logout. API clients keep Bearer keys.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { dbKinds } from '../helpers/test-database.js';
import { connectWs } from '../helpers/ws-client.js';

const WEB = { 'x-pipelit-session': 'cookie' };

/** `pipelit_session=<key>` from a response's Set-Cookie, with its attributes. */
function sessionCookie(res: { headers: Record<string, unknown> }): { pair: string; attributes: string } {
  const raw = res.headers['set-cookie'];
  const line = (Array.isArray(raw) ? raw : [raw]).map(String).find((c) => c.startsWith('pipelit_session='));
  if (!line) throw new Error(`no session cookie in ${JSON.stringify(raw)}`);
  const [pair, ...attributes] = line.split(';').map((s) => s.trim());
  return { pair, attributes: attributes.join('; ') };
}

describe.each(dbKinds())('session cookie on %s', (kind) => {
  let t: TestApp;
  let user: Awaited<ReturnType<TestApp['makeUser']>>;
  beforeAll(async () => {
    t = await createTestApp(kind, { TRUSTED_PROXIES: '10.0.0.1' });
    user = await t.makeUser();
  });
  afterAll(async () => t?.close());

  const login = (headers: Record<string, string> = {}, remoteAddress?: string) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/token/',
      payload: { username: user.username, password: user.password },
      headers,
      remoteAddress,
    });
  const me = (headers: Record<string, string>) =>
    t.app.inject({ method: 'GET', url: '/api/v1/auth/me/', headers });

  it('puts the key in an httpOnly SameSite=Strict cookie for the web app, in the body for API clients', async () => {
    const api = await login();
    expect(api.statusCode, api.body).toBe(200);
    expect(api.json().key).toMatch(/^[\w-]{40,}$/);
    expect(api.headers['set-cookie']).toBeUndefined();

    const web = await login(WEB);
    expect(web.statusCode, web.body).toBe(200);
    expect(web.json()).toEqual({ key: '', requires_mfa: false });
    const { pair, attributes } = sessionCookie(web);
    expect(pair).toMatch(/^pipelit_session=[\w-]{40,}$/);
    expect(attributes).toContain('HttpOnly');
    expect(attributes).toContain('SameSite=Strict');
    expect(attributes).toContain('Path=/');
    expect(attributes).not.toContain('Secure'); // plain HTTP here …
    // … Secure when the login came over TLS through a trusted proxy.
    const tls = await login({ ...WEB, host: '127.0.0.1', 'x-forwarded-proto': 'https' }, '10.0.0.1');
    expect(sessionCookie(tls).attributes).toContain('Secure');
  });

  it('authenticates only with the X-Pipelit-Session header (a cross-site form cannot use it)', async () => {
    const { pair } = sessionCookie(await login(WEB));
    const ok = await me({ ...WEB, cookie: pair });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().username).toBe(user.username);
    // What a cross-site form post or image would send: the cookie alone.
    const bare = await me({ cookie: pair });
    expect(bare.statusCode).toBe(401);
    expect(bare.json()).toHaveProperty('detail');
    // The header does not help without a cookie, and a made-up cookie is refused.
    expect((await me(WEB)).statusCode).toBe(401);
    expect((await me({ ...WEB, cookie: 'pipelit_session=not-a-key' })).statusCode).toBe(401);
  });

  it('logout revokes the session key and clears the cookie; named API keys stay valid', async () => {
    const { pair } = sessionCookie(await login(WEB));
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout/' })).statusCode).toBe(401);
    const out = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout/',
      headers: { ...WEB, cookie: pair },
    });
    expect(out.statusCode, out.body).toBe(204);
    expect(sessionCookie(out).pair).toBe('pipelit_session=');
    expect(sessionCookie(out).attributes).toMatch(/Expires=Thu, 01 Jan 1970|Max-Age=0/);
    expect((await me({ ...WEB, cookie: pair })).statusCode).toBe(401);
    // Logging out with a named key (an API client) leaves that key working.
    const named = { authorization: `Bearer ${user.key}` };
    expect(
      (await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout/', headers: named })).statusCode,
    ).toBe(204);
    expect((await me(named)).statusCode).toBe(200);
  });

  describe('on the WebSocket', () => {
    let server: FastifyInstance;
    let base = '';
    beforeAll(async () => {
      server = await buildApp(t.services, { serveSpa: false });
      await server.listen({ host: '127.0.0.1', port: 0 });
      const { port } = server.server.address() as { port: number };
      base = `127.0.0.1:${port}`;
    });
    afterAll(async () => server?.close());

    it('accepts the cookie from a page of this origin only', async () => {
      const { pair } = sessionCookie(await login(WEB));
      const same = connectWs(`ws://${base}/ws/`, { headers: { cookie: pair, origin: `http://${base}` } });
      await same.opened;
      expect(await same.subscribe('workflow:none-of-mine')).toMatchObject({ type: 'error' }); // authenticated
      same.close();
      // Another site's page opening a socket to us (cross-site WebSocket hijacking): refused.
      const foreign = connectWs(`ws://${base}/ws/`, {
        headers: { cookie: pair, origin: 'http://evil.example' },
      });
      expect(await foreign.closed).toEqual({ code: 1008, reason: 'Invalid or missing token' });
      const none = connectWs(`ws://${base}/ws/`, { headers: { cookie: pair } });
      expect(await none.closed).toEqual({ code: 1008, reason: 'Invalid or missing token' });
    });
  });
});
