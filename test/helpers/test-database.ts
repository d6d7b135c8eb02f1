/**
 * A fresh, empty database per test file: a temporary SQLite file, or a new PostgreSQL database
 * with a random name on the local server (dropped afterwards).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import type { DatabaseTarget } from '../../src/config.js';

export type DbKind = 'sqlite' | 'postgres';

export interface TestDatabase {
  target: DatabaseTarget;
  /** DATABASE_URL form, for child processes. */
  url: string;
  dir: string;
  drop(): Promise<void>;
}

export const postgresUrl = (): string => inject('postgresUrl');
export const redisUrl = (): string => inject('redisUrl');

/** Kinds of database the suites run against: SQLite always, PostgreSQL when reachable. */
export function dbKinds(): DbKind[] {
  return postgresUrl() ? ['sqlite', 'postgres'] : ['sqlite'];
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function createTestDatabase(kind: DbKind): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'pipelit-test-'));
  if (kind === 'sqlite') {
    const path = join(dir, 'test.db');
    return {
      target: { kind: 'sqlite', path, url: `sqlite:///${path}` },
      url: `sqlite:///${path}`,
      dir,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const adminUrl = postgresUrl();
  if (!adminUrl) throw new Error('PostgreSQL is not available for this test run');
  const name = `pipelit_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = withDatabase(adminUrl, name);
  return {
    target: { kind: 'postgres', url },
    url,
    dir,
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
