/**
 * Upgrades keep data: a database created by an early release (the first migration; and migration
 * 0004 with a workflow and an execution) holding real rows is migrated to the latest schema the way
 * `pipelit migrate` / `serve` do it, on SQLite and PostgreSQL. The rows survive unchanged and the
 * upgraded server serves them: the old password logs in, the old API key works, the workflow's nodes
 * and edges and the finished execution are listed.
 */
import { type Kysely, Migrator } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import { generateApiKey } from '../../src/auth/api-keys.js';
import { hashPassword } from '../../src/auth/passwords.js';
import { openServices } from '../../src/boot.js';
import { loadSettings } from '../../src/config.js';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { migrations } from '../../src/db/migrations/index.js';
import { silentLogger } from '../../src/logger.js';
import { createTestDatabase, dbKinds, type TestDatabase } from '../helpers/test-database.js';

// The schema of an old release is not the current one: untyped on purpose.
type OldDb = Kysely<any>;

const NOW = '2025-01-02T03:04:05.000Z';
const names = Object.keys(migrations);

async function migrateTo(db: OldDb, name: string) {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const result = await migrator.migrateTo(name);
  if (result.error) throw result.error;
  const applied = await db.selectFrom('kysely_migration').select('name').orderBy('name').execute();
  expect(applied.map((r) => r.name)).toEqual(names.slice(0, names.indexOf(name) + 1));
}

/** The upgraded server, with the usual start-up path (migrations run in openServices). */
async function upgradedApp(database: TestDatabase) {
  const settings = loadSettings(
    {
      DATABASE_URL: database.url,
      PIPELIT_DIR: database.dir,
      SECRET_KEY: 'upgrade-test-secret-key-long-enough',
      FIELD_ENCRYPTION_KEY: 'x0Rb1LF2lXbC4bR6dWTc8XoXz9Xq2Yd3sN1nG2Nf8vE=',
      LOG_LEVEL: 'silent',
    },
    database.dir,
  );
  const services = await openServices(settings, silentLogger());
  const app = await buildApp(services, { serveSpa: false });
  return {
    app,
    close: async () => {
      await app.close();
      await services.queue.close();
      await services.bus.close();
      await services.database.close();
    },
  };
}

async function seedRelease1(db: OldDb) {
  const user = await db
    .insertInto('users')
    .values({
      username: 'olduser',
      password_hash: await hashPassword('old-password-123'),
      first_name: 'Old',
      last_name: 'User',
      role: 'admin',
      created_at: NOW,
      updated_at: NOW,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const key = generateApiKey();
  await db
    .insertInto('api_keys')
    .values({ user_id: user.id, name: 'ci', key_hash: key.hash, prefix: key.prefix, created_at: NOW })
    .execute();
  await db
    .insertInto('workspaces')
    .values({
      user_id: user.id,
      name: 'old-space',
      path: '/srv/old-space',
      env_vars: '[["A","1"]]',
      created_at: NOW,
    })
    .execute();
  return { userId: Number(user.id), key: key.key };
}

describe.each(dbKinds())('upgrading an old database to the latest schema (%s)', (kind) => {
  let database: TestDatabase | undefined;
  afterEach(async () => {
    await database?.drop();
    database = undefined;
  });

  it('from the first migration: users, keys and workspaces survive; old password and key work', async () => {
    database = await createTestDatabase(kind);
    const handle = openDatabase(database.target);
    const old = handle.db as unknown as OldDb;
    await migrateTo(old, '0001-users-keys-workspaces');
    const { key } = await seedRelease1(old);
    const before = {
      users: await old.selectFrom('users').selectAll().execute(),
      api_keys: await old.selectFrom('api_keys').selectAll().execute(),
      workspaces: await old.selectFrom('workspaces').selectAll().execute(),
    };

    const { applied } = await migrateToLatest(handle);
    expect(applied).toEqual(names.slice(1));
    // Every column that existed keeps its value.
    for (const [table, rows] of Object.entries(before)) {
      const after = await old.selectFrom(table).selectAll().orderBy('id').execute();
      expect(after).toHaveLength(rows.length);
      for (const [i, row] of rows.entries()) expect(after[i], table).toMatchObject(row);
    }
    expect((await migrateToLatest(handle)).applied).toEqual([]);
    await handle.close();

    const server = await upgradedApp(database);
    try {
      const login = await server.app.inject({
        method: 'POST',
        url: '/api/v1/auth/token/',
        payload: { username: 'olduser', password: 'old-password-123' },
      });
      expect(login.statusCode, login.body).toBe(200);
      const me = await server.app.inject({
        method: 'GET',
        url: '/api/v1/auth/me/',
        headers: { authorization: `Bearer ${key}` },
      });
      expect(me.statusCode).toBe(200);
      expect(me.json()).toMatchObject({ username: 'olduser', role: 'admin' });
      const spaces = await server.app.inject({
        method: 'GET',
        url: '/api/v1/workspaces/',
        headers: { authorization: `Bearer ${key}` },
      });
      expect(spaces.statusCode).toBe(200);
      expect(JSON.stringify(spaces.json())).toContain('old-space');
    } finally {
      await server.close();
    }
  });

  it('from migration 0004: a workflow with nodes and edges and a finished execution survive', async () => {
    database = await createTestDatabase(kind);
    const handle = openDatabase(database.target);
    const db = handle.db as unknown as OldDb;
    await migrateTo(db, '0004-executions');
    const { userId, key } = await seedRelease1(db);
    const wf = await db
      .insertInto('workflows')
      .values({
        owner_id: userId,
        name: 'Old flow',
        slug: 'old-flow',
        description: 'kept',
        created_at: NOW,
        updated_at: NOW,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    for (const [nodeId, type, config] of [
      ['hook', 'trigger_webhook', '{"extra_config":{}}'],
      ['calc', 'code', '{"extra_config":{"code":"return { n: 1 };"}}'],
    ]) {
      await db
        .insertInto('workflow_nodes')
        .values({
          workflow_id: wf.id,
          node_id: nodeId,
          component_type: type,
          config,
          position_x: 10,
          updated_at: NOW,
        })
        .execute();
    }
    await db
      .insertInto('workflow_edges')
      .values({ workflow_id: wf.id, source_node_id: 'hook', target_node_id: 'calc' })
      .execute();
    const executionId = '00000000-0000-4000-8000-000000000001';
    await db
      .insertInto('executions')
      .values({
        execution_id: executionId,
        workflow_id: wf.id,
        trigger_node_id: 'hook',
        user_id: userId,
        status: 'completed',
        trigger_payload: '{"n":1}',
        final_output: '{"n":1}',
        created_at: NOW,
        started_at: NOW,
        completed_at: NOW,
        total_tokens: 7,
      })
      .execute();
    await db
      .insertInto('execution_nodes')
      .values({
        execution_id: executionId,
        node_id: 'calc',
        component_type: 'code',
        status: 'success',
        output: '{"n":1}',
        started_at: NOW,
        completed_at: NOW,
        duration_ms: 5,
      })
      .execute();
    const snapshot = async () => ({
      workflows: await db.selectFrom('workflows').selectAll().orderBy('id').execute(),
      workflow_nodes: await db.selectFrom('workflow_nodes').selectAll().orderBy('id').execute(),
      workflow_edges: await db.selectFrom('workflow_edges').selectAll().orderBy('id').execute(),
      executions: await db.selectFrom('executions').selectAll().orderBy('execution_id').execute(),
      execution_nodes: await db.selectFrom('execution_nodes').selectAll().orderBy('id').execute(),
    });
    const before = await snapshot();

    const { applied } = await migrateToLatest(handle);
    expect(applied).toEqual(names.slice(names.indexOf('0004-executions') + 1));
    const after = await snapshot();
    for (const [table, rows] of Object.entries(before)) {
      const now = after[table as keyof typeof after];
      expect(now, table).toHaveLength(rows.length);
      for (const [i, row] of rows.entries()) expect(now[i], table).toMatchObject(row);
    }
    await handle.close();

    const server = await upgradedApp(database);
    const auth = { authorization: `Bearer ${key}` };
    try {
      const nodes = await server.app.inject({
        method: 'GET',
        url: '/api/v1/workflows/old-flow/nodes/',
        headers: auth,
      });
      expect(nodes.statusCode, nodes.body).toBe(200);
      expect((nodes.json() as Array<{ node_id: string }>).map((n) => n.node_id).sort()).toEqual([
        'calc',
        'hook',
      ]);
      const edges = await server.app.inject({
        method: 'GET',
        url: '/api/v1/workflows/old-flow/edges/',
        headers: auth,
      });
      expect(edges.statusCode).toBe(200);
      expect(edges.json()).toEqual([
        expect.objectContaining({ source_node_id: 'hook', target_node_id: 'calc' }),
      ]);
      const execution = await server.app.inject({
        method: 'GET',
        url: `/api/v1/executions/${executionId}/`,
        headers: auth,
      });
      expect(execution.statusCode, execution.body).toBe(200);
      expect(execution.json()).toMatchObject({ execution_id: executionId, status: 'completed' });
    } finally {
      await server.close();
    }
  });
});
