/**
 * Builds the real app on a fresh database (SQLite or PostgreSQL), creates an admin, and offers helpers
 * to make users and call routes with `inject`. Close it in `afterAll`.
 */
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/api/app.js';
import { createFirstAdmin, createUser } from '../../src/auth/create-user.js';
import { issueApiKey } from '../../src/auth/issue-api-key.js';
import { openServices } from '../../src/boot.js';
import { loadSettings, type Settings } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { startRuntime } from '../../src/runtime.js';
import type { Services } from '../../src/services.js';
import { createTestDatabase, type DbKind, type TestDatabase } from './test-database.js';

export interface TestUser {
  id: number;
  username: string;
  password: string;
  key: string;
}

export interface TestApp {
  app: FastifyInstance;
  services: Services;
  database: TestDatabase;
  admin: TestUser;
  /** Creates a normal (or admin) user with an API key. */
  makeUser(role?: 'admin' | 'normal'): Promise<TestUser>;
  /** `inject` with `Authorization: Bearer <key>` when a key is given. */
  call(
    method: InjectOptions['method'],
    url: string,
    key?: string | null,
    body?: unknown,
  ): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

let counter = 0;

export async function createTestApp(
  kind: DbKind,
  env: Record<string, string> = {},
  adjust?: (settings: Settings) => Settings,
  opts: { engine?: boolean; database?: TestDatabase; keepDatabase?: boolean } = {},
): Promise<TestApp> {
  const database = opts.database ?? (await createTestDatabase(kind));
  let settings = loadSettings(
    {
      DATABASE_URL: database.url,
      PIPELIT_DIR: database.dir,
      SECRET_KEY: 'test-secret-key-that-is-long-enough-for-production',
      FIELD_ENCRYPTION_KEY: 'x0Rb1LF2lXbC4bR6dWTc8XoXz9Xq2Yd3sN1nG2Nf8vE=',
      LOG_LEVEL: 'silent',
      ...env,
    },
    database.dir,
  );
  if (adjust) settings = adjust(settings);
  const services = await openServices(settings, silentLogger());
  const app = await buildApp(services, { serveSpa: false });
  const { db } = services.database;

  const runtime = opts.engine ? await startRuntime(services, { role: 'server' }) : undefined;
  const adminRow =
    (await createFirstAdmin(db, settings.dataDir, { username: 'admin', password: 'admin-password' })) ??
    (await db.selectFrom('users').selectAll().where('username', '=', 'admin').executeTakeFirstOrThrow());
  const admin: TestUser = {
    id: adminRow.id,
    username: 'admin',
    password: 'admin-password',
    key: (await issueApiKey(db, adminRow.id, 'test')).key,
  };

  return {
    app,
    services,
    database,
    admin,
    async makeUser(role = 'normal') {
      counter += 1;
      const username = `user${counter}_${Math.random().toString(36).slice(2, 6)}`;
      const password = `password-${counter}`;
      const row = await createUser(db, { username, password, role });
      return { id: row.id, username, password, key: (await issueApiKey(db, row.id, 'test')).key };
    },
    call(method, url, key, body) {
      const headers: Record<string, string> = {};
      if (key) headers.authorization = `Bearer ${key}`;
      return app.inject({ method, url, headers, ...(body === undefined ? {} : { payload: body as never }) });
    },
    async close() {
      await runtime?.stop();
      await app.close();
      await services.queue.close();
      await services.bus.close();
      await services.database.close();
      if (!opts.keepDatabase) await database.drop();
    },
  };
}
