/**
 * Health: `GET /health` (the reference path) and `GET /api/v1/health/`, same body. Always 200; the
 * `status` is `degraded` when the database or (if configured) Redis does not answer.
 */
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { VERSION } from '../../version.js';

export type HealthProbe = () => Promise<Record<string, unknown>>;

declare module 'fastify' {
  interface FastifyInstance {
    /** Extra health sections (Redis, queue) contributed by the distributed mode. */
    healthProbes: Map<string, HealthProbe>;
  }
}

async function databaseUp(app: FastifyInstance): Promise<boolean> {
  try {
    await sql`select 1`.execute(app.services.database.db);
    return true;
  } catch {
    return false;
  }
}

export async function healthRoutes(app: FastifyInstance): Promise<void> {
  const handler = async () => {
    const database = await databaseUp(app);
    const body: Record<string, unknown> = {
      status: 'ok',
      version: VERSION,
      database,
      redis: app.services.settings.redisUrl ? false : null,
      mode: app.services.settings.redisUrl ? 'distributed' : 'embedded',
      pid: process.pid,
    };
    for (const [name, probe] of app.healthProbes) {
      try {
        Object.assign(body, { [name]: await probe() });
      } catch {
        body[name] = false;
      }
    }
    const redisDown = app.services.settings.redisUrl && body.redis !== true;
    if (!database || redisDown) body.status = 'degraded';
    return body;
  };
  app.get('/health', handler);
  app.get('/api/v1/health/', handler);
}
