import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { callableRoutes, fillPath, isPublicRoute } from './routes.js';

describe('every non-public route requires a key', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite', { RATE_LIMIT_PER_MINUTE: '0', RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '0' });
  });
  afterAll(async () => t?.close());

  it('answers 401 without a key and with an unknown key on every route outside the public list', async () => {
    const routes = callableRoutes(t.app.registeredRoutes);
    // The foundation's routes at least; features add more, and they are checked too.
    expect(routes.length).toBeGreaterThan(15);
    const checked: string[] = [];
    const failures: string[] = [];
    for (const route of routes) {
      if (isPublicRoute(route.url)) continue;
      const url = fillPath(route.url, () => '1');
      for (const authorization of [undefined, 'Bearer not-a-real-key']) {
        const res = await t.app.inject({
          method: route.method as 'GET',
          url,
          headers: authorization ? { authorization } : {},
          payload: route.method === 'GET' || route.method === 'DELETE' ? undefined : {},
        });
        const ok = route.websocket ? res.statusCode >= 400 && res.statusCode < 500 : res.statusCode === 401;
        if (!ok)
          failures.push(
            `${route.method} ${route.url} (${authorization ? 'bad key' : 'no key'}) → ${res.statusCode}`,
          );
      }
      checked.push(`${route.method} ${route.url.replace(/\/$/, '')}`);
    }
    expect(failures).toEqual([]);
    expect(checked).toEqual(
      expect.arrayContaining(['GET /api/v1/users/me', 'GET /api/v1/audit', 'POST /api/v1/auth/mfa/setup']),
    );
  });

  it('keeps the public routes reachable without a key', async () => {
    for (const [method, url] of [
      ['GET', '/health'],
      ['GET', '/api/v1/auth/setup-status/'],
    ] as const) {
      expect((await t.call(method, url)).statusCode).toBe(200);
    }
    // Public but validating: a bad body is 422, not 401.
    expect((await t.call('POST', '/api/v1/auth/token/', null, {})).statusCode).toBe(422);
    expect((await t.call('POST', '/api/v1/auth/mfa/login-verify/', null, {})).statusCode).toBe(422);
  });
});
