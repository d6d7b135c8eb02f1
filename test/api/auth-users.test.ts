import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import { openServices } from '../../src/boot.js';
import { loadSettings } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { createTestDatabase, dbKinds } from '../helpers/test-database.js';

describe.each(dbKinds())('auth and users on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind);
  });
  afterAll(async () => t?.close());

  it('answers health on both paths with the database status and pid', async () => {
    for (const url of ['/health', '/api/v1/health/', '/api/v1/health']) {
      const res = await t.call('GET', url);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ status: 'ok', database: true, redis: null, pid: process.pid });
    }
  });

  it('logs in with the right password and refuses the wrong one with one generic error', async () => {
    const ok = await t.call('POST', '/api/v1/auth/token/', null, {
      username: 'admin',
      password: 'admin-password',
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().requires_mfa).toBe(false);
    expect(ok.json().key.length).toBeGreaterThanOrEqual(32);

    const wrong = await t.call('POST', '/api/v1/auth/token/', null, {
      username: 'admin',
      password: 'nope-nope',
    });
    const unknown = await t.call('POST', '/api/v1/auth/token/', null, {
      username: 'ghost',
      password: 'nope-nope',
    });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json()).toEqual({ detail: 'Invalid credentials.' });
    expect(unknown.json()).toEqual(wrong.json());
  });

  it('rotates the session key on each login', async () => {
    const login = async () =>
      (
        await t.call('POST', '/api/v1/auth/token/', null, { username: 'admin', password: 'admin-password' })
      ).json().key as string;
    const first = await login();
    expect((await t.call('GET', '/api/v1/auth/me/', first)).statusCode).toBe(200);
    const second = await login();
    expect(second).not.toBe(first);
    expect((await t.call('GET', '/api/v1/auth/me/', first)).statusCode).toBe(401);
    const me = await t.call('GET', '/api/v1/auth/me', second);
    expect(me.json()).toMatchObject({ username: 'admin', mfa_enabled: false });
  });

  it('answers 401 without a key or with a bad key', async () => {
    for (const url of ['/api/v1/auth/me/', '/api/v1/users/me', '/api/v1/users/', '/api/v1/users/me/keys']) {
      const none = await t.call('GET', url);
      expect(none.statusCode).toBe(401);
      expect(none.json()).toEqual({ detail: 'Invalid or missing API key.' });
      expect((await t.call('GET', url, 'not-a-real-key')).statusCode).toBe(401);
    }
  });

  it('creates, uses, lists and revokes named keys', async () => {
    const user = await t.makeUser();
    const created = await t.call('POST', '/api/v1/users/me/keys', user.key, { name: 'ci' });
    expect(created.statusCode).toBe(201);
    const { key, id, prefix } = created.json();
    expect(key.startsWith(prefix)).toBe(true);
    expect((await t.call('GET', '/api/v1/users/me', key)).json().username).toBe(user.username);

    const list = await t.call('GET', '/api/v1/users/me/keys', user.key);
    expect(Array.isArray(list.json())).toBe(true);
    expect(list.json().map((k: { name: string }) => k.name)).toContain('ci');
    expect(JSON.stringify(list.json())).not.toContain(key);

    // The reference client sends Content-Type: application/json with an empty DELETE body.
    const revoked = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/users/me/keys/${id}`,
      headers: { authorization: `Bearer ${user.key}`, 'content-type': 'application/json' },
    });
    expect(revoked.statusCode).toBe(204);
    const after = await t.call('GET', '/api/v1/users/me', key);
    expect(after.statusCode).toBe(401);
    expect(after.json()).toEqual({ detail: 'API key has been revoked.' });
  });

  it("answers 404 for another user's key", async () => {
    const a = await t.makeUser();
    const b = await t.makeUser();
    const created = (await t.call('POST', '/api/v1/users/me/keys', a.key, { name: 'mine' })).json();
    const res = await t.call('DELETE', `/api/v1/users/me/keys/${created.id}`, b.key);
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ detail: 'API key not found.' });
  });

  it('refuses past expiry dates and expired keys', async () => {
    const user = await t.makeUser();
    const past = await t.call('POST', '/api/v1/users/me/keys', user.key, {
      name: 'old',
      expires_at: '2001-01-01T00:00:00Z',
    });
    expect(past.statusCode).toBe(400);
    expect(past.json()).toEqual({ detail: 'expires_at must be in the future.' });
    const soon = new Date(Date.now() + 1500).toISOString();
    const short = (
      await t.call('POST', '/api/v1/users/me/keys', user.key, { name: 'soon', expires_at: soon })
    ).json();
    expect((await t.call('GET', '/api/v1/users/me', short.key)).statusCode).toBe(200);
    await new Promise((r) => setTimeout(r, 1700));
    const expired = await t.call('GET', '/api/v1/users/me', short.key);
    expect(expired.json()).toEqual({ detail: 'API key has expired.' });
  });

  it('keeps user administration for admins (403 for normal users)', async () => {
    const normal = await t.makeUser();
    const attempts: Array<[string, string, unknown?]> = [
      ['GET', '/api/v1/users/'],
      ['POST', '/api/v1/users/', { username: 'x1', password: 'password1' }],
      ['GET', `/api/v1/users/${t.admin.id}`],
      ['PATCH', `/api/v1/users/${t.admin.id}`, { first_name: 'x' }],
      ['DELETE', `/api/v1/users/${t.admin.id}`],
      ['GET', `/api/v1/users/${t.admin.id}/keys`],
      ['POST', `/api/v1/users/${t.admin.id}/keys`, { name: 'x' }],
      ['DELETE', `/api/v1/users/${t.admin.id}/keys/1`],
    ];
    for (const [method, url, body] of attempts) {
      const res = await t.call(method as 'GET', url, normal.key, body);
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect(res.json()).toEqual({ detail: 'Admin access required.' });
    }
    const me = await t.call('PATCH', '/api/v1/users/me', normal.key, { role: 'admin', first_name: 'N' });
    expect(me.json()).toMatchObject({ role: 'normal', first_name: 'N' });
  });

  it('lets an admin manage users with the reference envelopes and errors', async () => {
    const created = await t.call('POST', '/api/v1/users/', t.admin.key, {
      username: 'carol',
      password: 'carol-password',
      role: 'normal',
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      username: 'carol',
      role: 'normal',
      mfa_enabled: false,
      key_count: 0,
    });
    const dup = await t.call('POST', '/api/v1/users/', t.admin.key, {
      username: 'carol',
      password: 'carol-password',
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toEqual({ detail: 'Username already exists.' });

    const page = await t.call('GET', '/api/v1/users/?limit=1&offset=1', t.admin.key);
    expect(page.json().users).toHaveLength(1);
    expect(page.json().total).toBeGreaterThanOrEqual(2);

    expect((await t.call('GET', '/api/v1/users/999999', t.admin.key)).json()).toEqual({
      detail: 'User not found.',
    });
    const demote = await t.call('PATCH', `/api/v1/users/${t.admin.id}`, t.admin.key, { role: 'normal' });
    expect(demote.statusCode).toBe(409);
    expect(demote.json()).toEqual({ detail: 'Cannot demote the last admin user.' });

    const keyFor = await t.call('POST', `/api/v1/users/${created.json().id}/keys`, t.admin.key, {
      name: 'svc',
    });
    expect(keyFor.statusCode).toBe(201);
    const keys = await t.call('GET', `/api/v1/users/${created.json().id}/keys`, t.admin.key);
    expect(keys.json()).toHaveLength(1);
  });

  it('answers 422 naming each bad field', async () => {
    const res = await t.call('POST', '/api/v1/users/', t.admin.key, {
      username: '',
      password: 'short',
      role: 'boss',
    });
    expect(res.statusCode).toBe(422);
    const locs = res.json().detail.map((d: { loc: string[] }) => d.loc.join('.'));
    expect(locs).toEqual(expect.arrayContaining(['body.username', 'body.password', 'body.role']));
    const exactly8 = await t.call('POST', '/api/v1/users/', t.admin.key, {
      username: 'eight',
      password: '12345678',
    });
    expect(exactly8.statusCode).toBe(201);
    const malformed = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/token/',
      headers: { 'content-type': 'application/json' },
      payload: '{"username":',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().detail).toMatch(/Malformed JSON body/);
  });

  it('locks a deleted user out for good', async () => {
    const user = await t.makeUser();
    const del = await t.call('DELETE', `/api/v1/users/${user.id}`, t.admin.key);
    expect(del.statusCode).toBe(204);
    expect((await t.call('GET', '/api/v1/users/me', user.key)).statusCode).toBe(401);
    const login = await t.call('POST', '/api/v1/auth/token/', null, {
      username: user.username,
      password: user.password,
    });
    expect(login.statusCode).toBe(401);
    expect((await t.call('GET', `/api/v1/users/${user.id}`, t.admin.key)).statusCode).toBe(404);
  });

  it('keeps no plaintext password or API key in the database', async () => {
    const user = await t.makeUser();
    const extra = (await t.call('POST', '/api/v1/users/me/keys', user.key, { name: 'dump-check' })).json()
      .key;
    const session = (
      await t.call('POST', '/api/v1/auth/token/', null, { username: user.username, password: user.password })
    ).json().key;
    const secrets = [user.password, user.key, extra, session, t.admin.password, t.admin.key];
    const dump = await dumpDatabase(t);
    for (const secret of secrets) expect(dump.includes(secret), `found ${secret.slice(0, 6)}…`).toBe(false);
    expect(dump).toContain(user.username);
  });
});

/** Every row of every table as text (a logical dump that works the same on both databases). */
async function dumpDatabase(t: TestApp): Promise<string> {
  const { db } = t.services.database;
  const tables = await db.introspection.getTables();
  const parts: string[] = [];
  for (const table of tables) {
    const rows = await db
      .selectFrom(table.name as 'users')
      .selectAll()
      .execute();
    parts.push(JSON.stringify(rows));
  }
  if (t.services.database.sqlitePath) {
    const { readFileSync, existsSync } = await import('node:fs');
    for (const file of [t.services.database.sqlitePath, `${t.services.database.sqlitePath}-wal`]) {
      if (existsSync(file)) parts.push(readFileSync(file).toString('latin1'));
    }
  }
  return parts.join('\n');
}

describe.each(dbKinds())('first-run setup on %s', (kind) => {
  it('works once, while no user exists', async () => {
    const database = await createTestDatabase(kind);
    const settings = loadSettings(
      { DATABASE_URL: database.url, PIPELIT_DIR: database.dir, LOG_LEVEL: 'silent', DEBUG: 'true' },
      database.dir,
    );
    const services = await openServices(settings, silentLogger());
    const app = await buildApp(services, { serveSpa: false });
    try {
      expect((await app.inject({ method: 'GET', url: '/api/v1/auth/setup-status/' })).json()).toEqual({
        needs_setup: true,
      });
      const short = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/setup/',
        payload: { username: 'root', password: 'short' },
      });
      expect(short.statusCode).toBe(422);
      expect(short.json().detail[0].loc).toEqual(['body', 'password']);
      const [a, b] = await Promise.all([
        app.inject({
          method: 'POST',
          url: '/api/v1/auth/setup/',
          payload: { username: 'root', password: 'root-password' },
        }),
        app.inject({
          method: 'POST',
          url: '/api/v1/auth/setup/',
          payload: { username: 'eve', password: 'eve-password' },
        }),
      ]);
      expect([a.statusCode, b.statusCode].sort()).toEqual([201, 409]);
      const winner = a.statusCode === 201 ? a : b;
      const loser = a.statusCode === 201 ? b : a;
      expect(loser.json()).toEqual({ detail: 'Setup already completed.' });
      const me = await app.inject({
        method: 'GET',
        url: '/api/v1/users/me',
        headers: { authorization: `Bearer ${winner.json().key}` },
      });
      expect(me.json().role).toBe('admin');
      expect((await app.inject({ method: 'GET', url: '/api/v1/auth/setup-status' })).json().needs_setup).toBe(
        false,
      );
      const users = await services.database.db.selectFrom('users').select('id').execute();
      expect(users).toHaveLength(1);
    } finally {
      await app.close();
      await services.database.close();
      await database.drop();
    }
  });
});
