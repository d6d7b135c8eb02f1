import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import { hostnameOf, isAllowedHost } from '../../src/api/security-policy.js';
import { pruneAuditEvents } from '../../src/audit/prune-audit-events.js';
import { LOGIN_LOCKOUT_MS } from '../../src/auth/login-throttle.js';
import { openServices } from '../../src/boot.js';
import { productionProblems } from '../../src/cli/production-checks.js';
import { loadSettings } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { createTestDatabase, dbKinds } from '../helpers/test-database.js';

const NO_RATE_LIMIT = { RATE_LIMIT_PER_MINUTE: '0', RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '0' };

describe.each(dbKinds())('password login throttling and audit on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, NO_RATE_LIMIT);
  });
  afterAll(async () => t?.close());
  afterEach(() => vi.useRealTimers());

  const login = (username: string, password: string, remoteAddress = '127.0.0.1') =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/token/',
      remoteAddress,
      payload: { username, password },
    });

  it('locks an account after repeated failures; the right password is refused until the lockout ends', async () => {
    const user = await t.makeUser();
    // The lock starts at some failure after this instant and lasts LOGIN_LOCKOUT_MS from then.
    const start = Date.now();
    for (let i = 0; i < 50; i++) {
      // Spread over many addresses so the per-address limit is not what refuses them.
      const res = await login(user.username, `wrong-${i}`, `10.1.${Math.floor(i / 20)}.${i % 20}`);
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ detail: 'Invalid credentials.' });
    }
    const refused = await login(user.username, user.password, '10.2.0.1');
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toEqual({ detail: 'Invalid credentials.' });

    const realNow = Date.now();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(start + LOGIN_LOCKOUT_MS - 5000);
    expect((await login(user.username, user.password, '10.2.0.2')).statusCode).toBe(401);
    vi.setSystemTime(realNow + LOGIN_LOCKOUT_MS + 5000);
    const ok = await login(user.username, user.password, '10.2.0.3');
    expect(ok.statusCode).toBe(200);
    expect(ok.json().key.length).toBeGreaterThanOrEqual(32);
    vi.useRealTimers();

    const audit = await t.call('GET', '/api/v1/audit/?action=auth.lockout', t.admin.key);
    expect(audit.json().items.some((e: { target: string }) => e.target === user.username)).toBe(true);
  });

  it('locks unknown usernames the same way (no difference between unknown and existing)', async () => {
    for (let i = 0; i < 10; i++) expect((await login('ghost-user', 'x', `10.3.0.${i}`)).statusCode).toBe(401);
    expect((await login('ghost-user', 'x', '10.3.1.1')).json()).toEqual({ detail: 'Invalid credentials.' });
  });

  it('answers 429 with Retry-After after 30 failed attempts from one address', async () => {
    const user = await t.makeUser();
    const other = await t.makeUser();
    for (let i = 0; i < 30; i++) {
      // Different accounts so no account lockout is involved.
      expect((await login(`nobody-${i}`, 'wrong', '10.4.0.1')).statusCode).toBe(401);
    }
    const limited = await login(user.username, user.password, '10.4.0.1');
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.json().detail).toMatch(/Too many/);
    // Another address is unaffected.
    expect((await login(other.username, other.password, '10.4.0.2')).statusCode).toBe(200);
  });

  it('records logins, user and key changes in the audit log (admin only) and prunes old events', async () => {
    await login('admin', 'admin-password');
    const created = await t.call('POST', '/api/v1/users/', t.admin.key, {
      username: 'audited',
      password: 'password-1',
    });
    const id = created.json().id;
    await t.call('PATCH', `/api/v1/users/${id}`, t.admin.key, { role: 'admin' });
    const key = await t.call('POST', `/api/v1/users/${id}/keys`, t.admin.key, { name: 'k' });
    await t.call('DELETE', `/api/v1/users/${id}/keys/${key.json().id}`, t.admin.key);
    await t.call('DELETE', `/api/v1/users/${id}`, t.admin.key);
    const all = await t.call('GET', '/api/v1/audit/?limit=200', t.admin.key);
    expect(all.statusCode).toBe(200);
    const actions = all.json().items.map((e: { action: string }) => e.action);
    for (const a of [
      'auth.login_succeeded',
      'auth.login_failed',
      'user.created',
      'user.updated',
      'user.role_changed',
      'api_key.created',
      'api_key.revoked',
      'user.deleted',
    ]) {
      expect(actions).toContain(a);
    }
    const changed = await t.call('GET', '/api/v1/audit/?action=user.role_changed', t.admin.key);
    expect(changed.json().items[0]).toMatchObject({
      actor_user_id: t.admin.id,
      target: `user:${id}`,
      details: { from: 'normal', to: 'admin' },
    });
    expect(changed.json().total).toBe(1);
    const page = await t.call('GET', '/api/v1/audit/?limit=2&offset=1', t.admin.key);
    expect(page.json().items).toHaveLength(2);

    const normal = await t.makeUser();
    expect((await t.call('GET', '/api/v1/audit/', normal.key)).statusCode).toBe(403);
    expect((await t.call('GET', '/api/v1/audit/')).statusCode).toBe(401);
    expect((await t.call('GET', '/api/v1/audit/?limit=0', t.admin.key)).statusCode).toBe(422);

    const { db } = t.services.database;
    await db
      .insertInto('audit_events')
      .values({
        created_at: '2000-01-01T00:00:00.000Z',
        actor_user_id: null,
        action: 'old',
        target: '',
        ip: '',
        details: '{}',
      })
      .execute();
    expect(await pruneAuditEvents(db, 90)).toBe(1);
    const left = await db.selectFrom('audit_events').select('id').where('action', '=', 'old').execute();
    expect(left).toHaveLength(0);
  });
});

describe('host and browser policy', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite', {
      ALLOWED_HOSTS: 'pipelit.example.com,.corp.example,127.0.0.1',
      CORS_ALLOW_ALL_ORIGINS: 'false',
      CORS_ALLOWED_ORIGINS: 'https://ui.example.com',
      TRUSTED_PROXIES: '10.0.0.1',
      BODY_LIMIT_BYTES: '2048',
      RATE_LIMIT_PER_MINUTE: '5',
      RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '4',
    });
  });
  afterAll(async () => t?.close());

  const get = (url: string, headers: Record<string, string>, remoteAddress = '127.0.0.1') =>
    t.app.inject({ method: 'GET', url, headers, remoteAddress });

  it('parses Host headers and matches ALLOWED_HOSTS', () => {
    expect(hostnameOf('Example.COM:8000')).toBe('example.com');
    expect(hostnameOf('[::1]:8000')).toBe('::1');
    expect(hostnameOf('::1')).toBe('::1');
    expect(isAllowedHost('a.b.corp.example', ['.corp.example'])).toBe(true);
    expect(isAllowedHost('evilcorp.example', ['.corp.example'])).toBe(false);
    expect(isAllowedHost('anything', ['*'])).toBe(true);
    expect(isAllowedHost(undefined, ['localhost'])).toBe(false);
  });

  it('refuses a Host header not in ALLOWED_HOSTS with 400', async () => {
    const bad = await get('/health', { host: 'evil.example.org' }, '127.0.0.2');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ detail: 'Invalid host header.' });
    expect((await get('/health', { host: 'pipelit.example.com:8000' }, '127.0.0.3')).statusCode).toBe(200);
    expect((await get('/health', { host: 'x.corp.example' }, '127.0.0.4')).statusCode).toBe(200);
  });

  it('allows only CORS_ALLOWED_ORIGINS and sends the security headers', async () => {
    const allowed = await get(
      '/health',
      { host: '127.0.0.1', origin: 'https://ui.example.com' },
      '127.0.0.5',
    );
    expect(allowed.headers['access-control-allow-origin']).toBe('https://ui.example.com');
    const other = await get('/health', { host: '127.0.0.1', origin: 'https://evil.example' }, '127.0.0.6');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const csp = String(allowed.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self' ws: wss:");
    expect(csp).toContain("img-src 'self' data:");
    expect(csp).toContain("style-src 'self' 'unsafe-inline'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(allowed.headers['x-content-type-options']).toBe('nosniff');
    expect(allowed.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
    expect(allowed.headers['strict-transport-security']).toBeUndefined();
  });

  it('honours X-Forwarded-* only from TRUSTED_PROXIES (HSTS over TLS, client address)', async () => {
    const viaProxy = await get('/health', { host: '127.0.0.1', 'x-forwarded-proto': 'https' }, '10.0.0.1');
    expect(viaProxy.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    const spoofed = await get('/health', { host: '127.0.0.1', 'x-forwarded-proto': 'https' }, '10.0.0.9');
    expect(spoofed.headers['strict-transport-security']).toBeUndefined();

    const fail = (remoteAddress: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/token/',
        remoteAddress,
        headers: { host: '127.0.0.1', 'x-forwarded-for': '203.0.113.7' },
        payload: { username: 'proxy-probe', password: 'x' },
      });
    await fail('10.0.0.1');
    await fail('10.0.0.8');
    const rows = await t.services.database.db
      .selectFrom('audit_events')
      .select('ip')
      .where('target', '=', 'proxy-probe')
      .orderBy('id')
      .execute();
    expect(rows.map((r) => r.ip)).toEqual(['203.0.113.7', '10.0.0.8']);
  });

  it('answers 413 with {"detail": ...} for a body over BODY_LIMIT_BYTES', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/token/',
      remoteAddress: '127.0.0.7',
      headers: { host: '127.0.0.1', 'content-type': 'application/json' },
      payload: JSON.stringify({ username: 'a', password: 'x'.repeat(5000) }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({ detail: 'Request body is too large.' });
  });

  it('rate-limits per key and per address with 429 {"detail"}', async () => {
    const user = await t.makeUser();
    const withKey = () =>
      t.app.inject({
        method: 'GET',
        url: '/api/v1/auth/me/',
        remoteAddress: '127.0.1.1',
        headers: { host: '127.0.0.1', authorization: `Bearer ${user.key}` },
      });
    for (let i = 0; i < 5; i++) expect((await withKey()).statusCode).toBe(200);
    const limited = await withKey();
    expect(limited.statusCode).toBe(429);
    expect(limited.json().detail).toMatch(/Rate limit exceeded/);
    expect(limited.headers['retry-after']).toBeDefined();
    // Another key from the same address still works.
    const admin = await t.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me/',
      remoteAddress: '127.0.1.1',
      headers: { host: '127.0.0.1', authorization: `Bearer ${t.admin.key}` },
    });
    expect(admin.statusCode).toBe(200);
    for (let i = 0; i < 4; i++)
      expect((await get('/health', { host: '127.0.0.1' }, '127.0.2.1')).statusCode).toBe(200);
    expect((await get('/health', { host: '127.0.0.1' }, '127.0.2.1')).statusCode).toBe(429);
  });
});

describe('production mode', () => {
  it('refuses default/short SECRET_KEY and a missing or invalid FIELD_ENCRYPTION_KEY when DEBUG=false', () => {
    const base = {
      SECRET_KEY: 'x'.repeat(40),
      FIELD_ENCRYPTION_KEY: 'x0Rb1LF2lXbC4bR6dWTc8XoXz9Xq2Yd3sN1nG2Nf8vE=',
    };
    expect(productionProblems(loadSettings(base, '/tmp'))).toEqual([]);
    expect(
      productionProblems(loadSettings({ ...base, SECRET_KEY: 'change-me-in-production' }, '/tmp'))[0],
    ).toMatch(/^SECRET_KEY: the default/);
    expect(productionProblems(loadSettings({ ...base, SECRET_KEY: 'short' }, '/tmp'))[0]).toMatch(
      /^SECRET_KEY: must be at least 32/,
    );
    expect(productionProblems(loadSettings({ ...base, FIELD_ENCRYPTION_KEY: '' }, '/tmp'))[0]).toMatch(
      /^FIELD_ENCRYPTION_KEY: required/,
    );
    expect(productionProblems(loadSettings({ ...base, FIELD_ENCRYPTION_KEY: 'nope' }, '/tmp'))[0]).toMatch(
      /not a valid Fernet key/,
    );
    expect(productionProblems(loadSettings({ DEBUG: 'true', SECRET_KEY: 'short' }, '/tmp'))).toEqual([]);
  });

  it('never puts an error message or stack trace in a 5xx response', async () => {
    const database = await createTestDatabase('sqlite');
    const settings = loadSettings(
      { DATABASE_URL: database.url, PIPELIT_DIR: database.dir, LOG_LEVEL: 'silent' },
      database.dir,
    );
    const services = await openServices(settings, silentLogger());
    const app = await buildApp(services, { serveSpa: false }, [
      {
        prefix: '/api/v1/boom',
        plugin: async (scope) => {
          scope.get('/', async () => {
            throw new Error('secret-internal-detail at /srv/app/db.ts:12');
          });
          scope.get('/type', async () => (undefined as unknown as { x: number }).x);
        },
      },
    ]);
    try {
      for (const url of ['/api/v1/boom/', '/api/v1/boom/type']) {
        const res = await app.inject({ method: 'GET', url });
        expect(res.statusCode).toBe(500);
        expect(res.json()).toEqual({ detail: 'Internal server error.' });
        expect(res.body).not.toMatch(/secret-internal|\.ts:|TypeError|at /);
      }
    } finally {
      await app.close();
      await services.bus.close();
      await services.database.close();
      await database.drop();
    }
  });
});
