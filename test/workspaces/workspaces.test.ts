/**
 * `/api/v1/workspaces`: scoped to the caller (admins too), paths confined to
 * `<dataDir>/workspaces/` (every traversal form refused), env values stored encrypted, and
 * `resolveWorkspace` (the sandbox root of run_command/code_execute) enforcing the same rules.
 */
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveWorkspace } from '../../src/workspaces/resolve-workspace.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { dbKinds } from '../helpers/test-database.js';

describe.each(dbKinds())('workspaces API on %s', (kind) => {
  let t: TestApp;
  let root: string;
  const name = (p: string) => `${p}-${Math.random().toString(36).slice(2, 8)}`;
  beforeAll(async () => {
    t = await createTestApp(kind);
    root = join(t.services.settings.dataDir, 'workspaces');
  });
  afterAll(async () => t?.close());

  it('creates, lists, reads, updates, resets and deletes a workspace of the caller', async () => {
    const n = name('ws');
    const created = await t.call('POST', '/api/v1/workspaces/', t.admin.key, {
      name: n,
      allow_network: true,
    });
    expect(created.statusCode, created.body).toBe(201);
    const ws = created.json();
    expect(ws).toEqual({
      id: expect.any(Number),
      name: n,
      path: join(root, n),
      allow_network: true,
      env_vars: [],
      created_at: expect.any(String),
    });
    expect(existsSync(join(root, n, '.tmp'))).toBe(true);
    expect((await t.call('POST', '/api/v1/workspaces/', t.admin.key, { name: n })).json()).toEqual({
      detail: 'Workspace with this name already exists.',
    });

    const list = (await t.call('GET', '/api/v1/workspaces/?limit=50', t.admin.key)).json();
    expect(list.items.map((w: any) => w.name)).toEqual(expect.arrayContaining(['default', n]));
    expect(list.total).toBe(list.items.length);
    expect((await t.call('GET', `/api/v1/workspaces/${ws.id}/`, t.admin.key)).json()).toEqual(ws);

    const patched = await t.call('PATCH', `/api/v1/workspaces/${ws.id}/`, t.admin.key, {
      allow_network: false,
      env_vars: [{ key: 'GREETING', source: 'raw', value: 'hello' }],
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({
      allow_network: false,
      env_vars: [{ key: 'GREETING', source: 'raw', value: 'hello' }],
    });

    writeFileSync(join(root, n, 'junk.txt'), 'x');
    mkdirSync(join(root, n, '.rootfs', 'bin'), { recursive: true });
    const rootfs = await t.call('POST', `/api/v1/workspaces/${ws.id}/reset-rootfs/`, t.admin.key);
    expect(rootfs.json()).toEqual({
      ok: true,
      message: `Rootfs cleared for workspace '${n}'. Will be re-created on next execution.`,
    });
    expect(existsSync(join(root, n, '.rootfs'))).toBe(false);
    expect(existsSync(join(root, n, 'junk.txt'))).toBe(true);
    const reset = await t.call('POST', `/api/v1/workspaces/${ws.id}/reset/`, t.admin.key);
    expect(reset.json()).toEqual({ ok: true, message: `Workspace '${n}' has been reset.` });
    expect(existsSync(join(root, n, 'junk.txt'))).toBe(false);
    expect(existsSync(join(root, n, '.tmp'))).toBe(true);

    const def = list.items.find((w: any) => w.name === 'default');
    const refused = await t.call('DELETE', `/api/v1/workspaces/${def.id}/`, t.admin.key);
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toEqual({ detail: 'Cannot delete the default workspace.' });
    const other = (await t.call('POST', '/api/v1/workspaces/', t.admin.key, { name: name('b') })).json();
    const batch = await t.call('POST', '/api/v1/workspaces/batch-delete/', t.admin.key, {
      ids: [def.id, other.id],
    });
    expect(batch.statusCode).toBe(204);
    expect((await t.call('GET', `/api/v1/workspaces/${def.id}/`, t.admin.key)).statusCode).toBe(200);
    expect((await t.call('GET', `/api/v1/workspaces/${other.id}/`, t.admin.key)).statusCode).toBe(404);
    expect((await t.call('DELETE', `/api/v1/workspaces/${ws.id}/`, t.admin.key)).statusCode).toBe(204);
    expect((await t.call('GET', `/api/v1/workspaces/${ws.id}/`, t.admin.key)).statusCode).toBe(404);
  });

  it('refuses every path outside the workspaces root', async () => {
    const outside = join(t.services.settings.dataDir, 'outside');
    mkdirSync(outside, { recursive: true });
    const link = join(root, name('link'));
    symlinkSync(outside, link);
    const attempts = [
      '../escape',
      `${root}/../escape`,
      `${root}/a/../../escape`,
      'a/../../escape',
      '/etc',
      '/tmp/pipelit-ws',
      root,
      `${root}/`,
      link,
      `${link}/inner`,
      '..',
      'a\\..\\..\\x',
    ];
    for (const path of attempts) {
      const res = await t.call('POST', '/api/v1/workspaces/', t.admin.key, { name: name('evil'), path });
      expect(res.statusCode, `${path}: ${res.body}`).toBe(400);
      expect(res.json()).toEqual({ detail: `Workspace path must be under ${root}/` });
    }
    expect(existsSync(join(outside, 'inner'))).toBe(false);
    // Names become directories: no separators or dot-names.
    for (const bad of ['../x', 'a/b', '.', '..']) {
      expect((await t.call('POST', '/api/v1/workspaces/', t.admin.key, { name: bad })).statusCode).toBe(422);
    }
    // A nested path under the root is fine.
    const ok = await t.call('POST', '/api/v1/workspaces/', t.admin.key, {
      name: name('nested'),
      path: `${root}/team/a`,
    });
    expect(ok.statusCode, ok.body).toBe(201);
  });

  it('stores env values encrypted and hides credential secrets', async () => {
    const secret = `s3cr3t-${Math.random().toString(36).slice(2)}`;
    const cred = await t.call('POST', '/api/v1/credentials/', t.admin.key, {
      name: name('git'),
      credential_type: 'llm',
      detail: { provider_type: 'openai', api_key: `sk-cred-${secret}`, base_url: '', organization_id: '' },
    });
    expect(cred.statusCode, cred.body).toBe(201);
    const res = await t.call('POST', '/api/v1/workspaces/', t.admin.key, {
      name: name('env'),
      env_vars: [
        { key: 'TOKEN', source: 'raw', value: secret },
        {
          key: 'OPENAI_KEY',
          source: 'credential',
          credential_id: cred.json().id,
          credential_field: 'api_key',
        },
      ],
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.body).not.toContain(`sk-cred-${secret}`);
    expect(res.json().env_vars).toEqual([
      { key: 'TOKEN', source: 'raw', value: secret },
      { key: 'OPENAI_KEY', source: 'credential', credential_id: cred.json().id, credential_field: 'api_key' },
    ]);
    const raw = await t.services.database.db
      .selectFrom('workspaces')
      .select('env_vars')
      .where('id', '=', res.json().id)
      .executeTakeFirstOrThrow();
    expect(raw.env_vars).not.toContain(secret);
    expect(JSON.parse(raw.env_vars)[0]).toEqual({
      key: 'TOKEN',
      source: 'raw',
      value_enc: expect.stringMatching(/^gAAAAA/),
    });

    const resolved = await resolveWorkspace(t.services.database.db, {
      userId: t.admin.id,
      workspaceId: res.json().id,
      encryptionKey: t.services.settings.fieldEncryptionKey,
      dataDir: t.services.settings.dataDir,
    });
    expect(resolved).toMatchObject({
      name: res.json().name,
      root: res.json().path,
      allowNetwork: false,
      env: { TOKEN: secret, OPENAI_KEY: `sk-cred-${secret}` },
    });
    const bad = await t.call('POST', '/api/v1/workspaces/', t.admin.key, {
      name: name('bad'),
      env_vars: [{ key: 'NOT VALID', source: 'raw', value: 'x' }],
    });
    expect(bad.statusCode).toBe(422);
  });

  it('is scoped to the caller: 401 without a key, 404 for another user (admins included)', async () => {
    const user = await t.makeUser('normal');
    const mine = (await t.call('POST', '/api/v1/workspaces/', user.key, { name: name('u') })).json();
    const adminWs = (await t.call('POST', '/api/v1/workspaces/', t.admin.key, { name: name('a') })).json();
    const routes: Array<[string, string]> = [
      ['GET', '/api/v1/workspaces/'],
      ['POST', '/api/v1/workspaces/'],
      ['POST', '/api/v1/workspaces/batch-delete/'],
      ['GET', `/api/v1/workspaces/${mine.id}/`],
      ['PATCH', `/api/v1/workspaces/${mine.id}/`],
      ['DELETE', `/api/v1/workspaces/${mine.id}/`],
      ['POST', `/api/v1/workspaces/${mine.id}/reset/`],
      ['POST', `/api/v1/workspaces/${mine.id}/reset-rootfs/`],
    ];
    for (const [method, url] of routes) {
      expect((await t.call(method as never, url, null, {})).statusCode, `${method} ${url}`).toBe(401);
    }
    for (const [method, url] of routes.slice(3)) {
      const res = await t.call(method as never, url, t.admin.key, {});
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.json()).toEqual({ detail: 'Workspace not found.' });
    }
    for (const [method, suffix] of [
      ['GET', ''],
      ['PATCH', ''],
      ['DELETE', ''],
      ['POST', 'reset/'],
    ]) {
      const res = await t.call(method as never, `/api/v1/workspaces/${adminWs.id}/${suffix}`, user.key, {});
      expect(res.statusCode).toBe(404);
    }
    const theirs = (await t.call('GET', '/api/v1/workspaces/', user.key)).json();
    expect(theirs.items.map((w: any) => w.id)).toEqual([mine.id]);
    expect(
      (await t.call('GET', '/api/v1/workspaces/', t.admin.key))
        .json()
        .items.some((w: any) => w.id === mine.id),
    ).toBe(false);
    // batch delete ignores ids that are not the caller's
    await t.call('POST', '/api/v1/workspaces/batch-delete/', user.key, { ids: [adminWs.id] });
    expect((await t.call('GET', `/api/v1/workspaces/${adminWs.id}/`, t.admin.key)).statusCode).toBe(200);
    // The sandbox root: a normal user's workflow cannot use the admin's workspace.
    await expect(
      resolveWorkspace(t.services.database.db, {
        userId: user.id,
        workspaceId: adminWs.id,
        encryptionKey: t.services.settings.fieldEncryptionKey,
        dataDir: t.services.settings.dataDir,
      }),
    ).rejects.toThrow(`Workspace ${adminWs.id} not found.`);
    // A row tampered to point outside the root is refused at run time.
    await t.services.database.db
      .updateTable('workspaces')
      .set({ path: '/etc' })
      .where('id', '=', mine.id)
      .execute();
    await expect(
      resolveWorkspace(t.services.database.db, {
        userId: user.id,
        workspaceId: mine.id,
        encryptionKey: t.services.settings.fieldEncryptionKey,
        dataDir: t.services.settings.dataDir,
      }),
    ).rejects.toThrow(/must be under/);
    const reset = await t.call('POST', `/api/v1/workspaces/${mine.id}/reset/`, user.key);
    expect(reset.statusCode).toBe(400);
    expect(existsSync('/etc/passwd')).toBe(true);
  });

  it("gives commands network access only in administrators' workflows", async () => {
    const user = await t.makeUser('normal');
    const refused = await t.call('POST', '/api/v1/workspaces/', user.key, {
      name: name('n'),
      allow_network: true,
    });
    expect(refused.statusCode, refused.body).toBe(403);
    expect(refused.json().detail).toMatch(/^Only an administrator can allow network access/);
    const ws = (await t.call('POST', '/api/v1/workspaces/', user.key, { name: name('n') })).json();
    const patch = await t.call('PATCH', `/api/v1/workspaces/${ws.id}/`, user.key, { allow_network: true });
    expect(patch.statusCode, patch.body).toBe(403);
    // Switching it off, or saving other fields, stays open to the owner.
    expect(
      (await t.call('PATCH', `/api/v1/workspaces/${ws.id}/`, user.key, { allow_network: false })).statusCode,
    ).toBe(200);

    const resolve = (userId: number, workspaceId: number) =>
      resolveWorkspace(t.services.database.db, {
        userId,
        workspaceId,
        encryptionKey: t.services.settings.fieldEncryptionKey,
        dataDir: t.services.settings.dataDir,
      });
    // A row that allows it from before this rule (or written directly) does not give a normal user
    // network at run time …
    await t.services.database.db
      .updateTable('workspaces')
      .set({ allow_network: true })
      .where('id', '=', ws.id)
      .execute();
    expect((await resolve(user.id, ws.id)).allowNetwork).toBe(false);
    // … while an administrator's workspace that allows it does.
    const adminWs = (
      await t.call('POST', '/api/v1/workspaces/', t.admin.key, { name: name('a'), allow_network: true })
    ).json();
    expect((await resolve(t.admin.id, adminWs.id)).allowNetwork).toBe(true);
  });
});
