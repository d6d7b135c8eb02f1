/**
 * Credentials API (§4.11): scoping, masking, masked PATCH echo, encryption at rest, refusal without
 * FIELD_ENCRYPTION_KEY, undecryptable secrets, test and model listing against the mock provider —
 * and a run whose database rows, logs and API responses are searched for the provider key.
 */
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockLlmServer, startMockLlmServer } from '../helpers/mock-llm-server.js';
import { seedWorkflow, waitForStatus } from '../helpers/seed-workflow.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { dbKinds } from '../helpers/test-database.js';
import { createLlmCredential, modelNode, PROVIDER_KEY } from './llm-helpers.js';

describe.each(dbKinds())('credentials on %s', (kind) => {
  let t: TestApp;
  let mock: MockLlmServer;
  const logLines: string[] = [];
  beforeAll(async () => {
    mock = await startMockLlmServer();
    t = await createTestApp(kind, { OUTBOUND_ALLOWLIST: '127.0.0.1' }, undefined, { engine: true });
    // Capture everything the engine and tools log during these tests.
    const sink = new Writable({
      write(chunk, _enc, done) {
        logLines.push(String(chunk));
        done();
      },
    });
    (t.services as { log: unknown }).log = pino({ level: 'trace' }, sink);
  });
  afterAll(async () => {
    await t?.close();
    await mock?.close();
  });

  it('creates, lists, masks, patches with the masked value and scopes per user', async () => {
    const id = await createLlmCredential(t, t.admin.key, mock.openaiBase);
    const got = await t.call('GET', `/api/v1/credentials/${id}/`, t.admin.key);
    expect(got.statusCode).toBe(200);
    expect(got.json().detail).toMatchObject({
      provider_type: 'openai',
      api_key: `${PROVIDER_KEY.slice(0, 4)}****${PROVIDER_KEY.slice(-4)}`,
      base_url: mock.openaiBase,
    });
    // The client sends back what it saw (masked): the secret must survive.
    const patched = await t.call('PATCH', `/api/v1/credentials/${id}/`, t.admin.key, {
      name: 'renamed',
      detail: { ...got.json().detail },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json().name).toBe('renamed');
    const test = await t.call('POST', `/api/v1/credentials/${id}/test/`, t.admin.key);
    expect(test.json()).toEqual({ ok: true, error: '' });
    const models = await t.call('GET', `/api/v1/credentials/${id}/models/`, t.admin.key);
    expect(models.json()).toEqual(mock.models.sort().map((m) => ({ id: m, name: m })));

    const user = await t.makeUser();
    expect((await t.call('GET', `/api/v1/credentials/${id}/`, user.key)).statusCode).toBe(404);
    expect((await t.call('PATCH', `/api/v1/credentials/${id}/`, user.key, { name: 'x' })).statusCode).toBe(
      404,
    );
    expect((await t.call('DELETE', `/api/v1/credentials/${id}/`, user.key)).statusCode).toBe(404);
    expect((await t.call('POST', `/api/v1/credentials/${id}/test/`, user.key)).statusCode).toBe(404);
    expect((await t.call('GET', `/api/v1/credentials/${id}/models/`, user.key)).statusCode).toBe(404);
    expect((await t.call('GET', '/api/v1/credentials/', user.key)).json()).toEqual({ items: [], total: 0 });
    for (const [method, url] of [
      ['GET', '/api/v1/credentials/'],
      ['POST', '/api/v1/credentials/'],
      ['GET', `/api/v1/credentials/${id}/`],
      ['POST', `/api/v1/credentials/${id}/test/`],
      ['POST', '/api/v1/credentials/batch-delete/'],
      ['GET', '/api/v1/pricing/'],
    ] as const) {
      expect((await t.call(method, url)).statusCode, url).toBe(401);
    }
    expect((await t.call('GET', '/api/v1/pricing/', user.key)).statusCode).toBe(403);

    // A new key replaces the old one; a bad key fails the test route clearly.
    await t.call('PATCH', `/api/v1/credentials/${id}/`, t.admin.key, { detail: { api_key: 'bad-key' } });
    expect((await t.call('POST', `/api/v1/credentials/${id}/test/`, t.admin.key)).json()).toEqual({
      ok: false,
      error: 'Authentication failed - invalid API key',
    });
    await t.call('PATCH', `/api/v1/credentials/${id}/`, t.admin.key, { detail: { api_key: PROVIDER_KEY } });

    const tool = await t.call('POST', '/api/v1/credentials/', user.key, {
      name: 'search',
      credential_type: 'tool',
      detail: { tool_type: 'brave', config: {}, is_preferred: true, api_key: 'brave-secret-key-123456' },
    });
    expect(tool.statusCode, tool.body).toBe(201);
    expect(tool.json().detail).toMatchObject({
      tool_type: 'brave',
      api_key: 'brav****3456',
      is_preferred: true,
    });
    const batch = await t.call('POST', '/api/v1/credentials/batch-delete/', user.key, {
      ids: [tool.json().id, id],
    });
    expect(batch.statusCode).toBe(204);
    // The admin's credential was not the user's to delete.
    expect((await t.call('GET', `/api/v1/credentials/${id}/`, t.admin.key)).statusCode).toBe(200);
  });

  it('stores secrets encrypted and refuses undecryptable ones', async () => {
    const id = await createLlmCredential(t, t.admin.key, mock.openaiBase);
    const row = await t.services.database.db
      .selectFrom('credentials')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.secrets).toMatch(/^gAAAAA/);
    expect(row.secrets).not.toContain(PROVIDER_KEY);
    await t.services.database.db
      .updateTable('credentials')
      .set({ secrets: 'gAAAAABnot-a-valid-token' })
      .where('id', '=', id)
      .execute();
    const test = await t.call('POST', `/api/v1/credentials/${id}/test/`, t.admin.key);
    expect(test.statusCode).toBe(400);
    expect(test.json().detail).toMatch(/could not be decrypted/);
    expect((await t.call('GET', `/api/v1/credentials/${id}/`, t.admin.key)).json().detail.api_key).toBe('');
  });

  it('never shows the provider key in any row, log line or API response of a run', async () => {
    const responses: string[] = [];
    const call = async (...args: Parameters<TestApp['call']>) => {
      const res = await t.call(...args);
      responses.push(res.body);
      return res;
    };
    const created = await call('POST', '/api/v1/credentials/', t.admin.key, {
      name: 'leak-check',
      credential_type: 'llm',
      detail: {
        provider_type: 'openai_compatible',
        api_key: PROVIDER_KEY,
        base_url: mock.openaiBase,
        custom_headers: { 'x-extra': PROVIDER_KEY },
      },
    });
    const id = created.json().id;
    await seedWorkflow(t.services.database.db, t.admin.id, {
      slug: `leak-${kind}`,
      nodes: [
        { id: 'start', type: 'trigger_manual' },
        { id: 'agent', type: 'agent', extra: { conversation_memory: true } },
        modelNode(id),
        { id: 'calc', type: 'calculator' },
      ],
      edges: [
        { from: 'start', to: 'agent' },
        { from: 'model', to: 'agent', label: 'llm' },
        { from: 'calc', to: 'agent', label: 'tool' },
      ],
    });
    mock.reset();
    mock.script(
      { status: 429, retryAfter: 0 },
      { toolCalls: [{ name: 'calculate', args: { expression: '1+1' } }] },
      { text: 'two' },
    );
    const exec = await call('POST', `/api/v1/workflows/leak-${kind}/execute/`, t.admin.key, { text: 'add' });
    const row = await waitForStatus(t.services.database.db, exec.json().execution_id, [
      'completed',
      'failed',
    ]);
    expect(row.status, row.error_message ?? '').toBe('completed');
    // The key did reach the provider (so it really was used)…
    expect(mock.requests[0].headers.authorization).toBe(`Bearer ${PROVIDER_KEY}`);
    await call('GET', `/api/v1/executions/${row.execution_id}/`, t.admin.key);
    await call('GET', '/api/v1/credentials/', t.admin.key);
    await call('GET', `/api/v1/credentials/${id}/`, t.admin.key);
    await call('PATCH', `/api/v1/credentials/${id}/`, t.admin.key, { detail: { base_url: mock.openaiBase } });
    await call('POST', `/api/v1/credentials/${id}/test/`, t.admin.key);
    await call('GET', `/api/v1/credentials/${id}/models/`, t.admin.key);
    await call('GET', `/api/v1/workflows/leak-${kind}/`, t.admin.key);
    await call('GET', `/api/v1/audit/`, t.admin.key);

    // …but nowhere else: every row of every table, every log line, every response.
    const db = t.services.database.db;
    const tables =
      kind === 'sqlite'
        ? (
            await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(db)
          ).rows.map((r) => r.name)
        : (
            await sql<{
              name: string;
            }>`select table_name as name from information_schema.tables where table_schema = current_schema()`.execute(
              db,
            )
          ).rows.map((r) => r.name);
    expect(tables).toContain('credentials');
    let rowsSeen = 0;
    for (const table of tables) {
      const rows = (await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(db)).rows;
      rowsSeen += rows.length;
      expect(JSON.stringify(rows), `table ${table}`).not.toContain(PROVIDER_KEY);
    }
    expect(rowsSeen).toBeGreaterThan(10);
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.join('\n')).not.toContain(PROVIDER_KEY);
    expect(responses.length).toBeGreaterThan(8);
    for (const body of responses) expect(body).not.toContain(PROVIDER_KEY);
  });
});

describe('credentials without FIELD_ENCRYPTION_KEY', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite', {}, (s) => ({ ...s, fieldEncryptionKey: '' }));
  });
  afterAll(async () => t?.close());

  it('refuses to store a credential', async () => {
    const res = await t.call('POST', '/api/v1/credentials/', t.admin.key, {
      name: 'x',
      credential_type: 'llm',
      detail: { provider_type: 'openai', api_key: 'sk-whatever-123456' },
    });
    expect(res.statusCode).toBe(503);
    expect(res.json().detail).toMatch(/FIELD_ENCRYPTION_KEY is not set/);
    expect(await t.services.database.db.selectFrom('credentials').selectAll().execute()).toEqual([]);
  });
});
