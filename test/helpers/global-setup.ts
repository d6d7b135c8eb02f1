/**
 * Probes PostgreSQL and Redis once per run. Tests that need one skip with a printed reason when it is
 * missing, unless services are required (CI=true or PIPELIT_REQUIRE_SERVICES=1): then the run fails.
 */
import { Socket } from 'node:net';
import pg from 'pg';
import type { TestProject } from 'vitest/node';

export const POSTGRES_URL =
  process.env.PIPELIT_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.PIPELIT_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function probePostgres(): Promise<string | null> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return null;
  } catch (err) {
    return `PostgreSQL not reachable at ${POSTGRES_URL}: ${(err as Error).message}`;
  } finally {
    await client.end().catch(() => {});
  }
}

async function probeRedis(): Promise<string | null> {
  const url = new URL(REDIS_URL);
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (reason: string | null) => {
      socket.destroy();
      resolve(reason);
    };
    socket.setTimeout(3000, () => done(`Redis not reachable at ${REDIS_URL}: timeout`));
    socket.once('error', (err) => done(`Redis not reachable at ${REDIS_URL}: ${err.message}`));
    socket.connect(Number(url.port || 6379), url.hostname, () => socket.write('PING\r\n'));
    socket.once('data', (data) =>
      done(data.toString().startsWith('+PONG') ? null : `Redis at ${REDIS_URL} answered ${data}`),
    );
  });
}

export default async function setup(project: TestProject): Promise<void> {
  const required = process.env.CI === 'true' || process.env.PIPELIT_REQUIRE_SERVICES === '1';
  const [pgReason, redisReason] = await Promise.all([probePostgres(), probeRedis()]);
  for (const reason of [pgReason, redisReason]) {
    if (!reason) continue;
    if (required) throw new Error(`${reason} — required under CI=true / PIPELIT_REQUIRE_SERVICES=1`);
    process.stdout.write(`\n[pipelit tests] SKIPPING tests that need it: ${reason}\n`);
  }
  project.provide('postgresUrl', pgReason ? '' : POSTGRES_URL);
  project.provide('redisUrl', redisReason ? '' : REDIS_URL);
}

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
    redisUrl: string;
  }
}
