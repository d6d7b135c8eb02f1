/**
 * `/api/v1/retention`: how long finished executions are kept. Admin-only.
 * - GET `/` → `{effective, defaults, overrides, updated_at, last_pruned_at, counts}`: the environment
 *   defaults, the admin's overrides (null = default applies) and the result. 0 = no limit.
 * - PATCH `/` → sets overrides (`days_success`, `days_failed`, `max_count_success`, `max_count_failed`);
 *   null resets a field to its environment default. Applies at the next pruning pass.
 * Cancelled executions count as failed.
 */
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { RetentionDefaults } from '../../config.js';
import type { Database } from '../../db/schema.js';
import { toInt } from '../../db/values.js';
import {
  type RetentionOverrides,
  type RetentionPolicy,
  readRetentionOverrides,
  writeRetentionOverrides,
} from '../../retention/retention-settings.js';
import { PRUNE_LEASE } from '../../retention/start-execution-pruning.js';
import { requireAdmin, requireAuthentication } from '../guards.js';
import { validate } from '../validate.js';

const ZLimit = z.number().int().min(0).max(100_000_000).nullable().optional();
const ZRetentionUpdate = z.strictObject({
  days_success: ZLimit,
  days_failed: ZLimit,
  max_count_success: ZLimit,
  max_count_failed: ZLimit,
});

function snake(p: { [K in keyof RetentionPolicy]: number | null }) {
  return {
    days_success: p.daysSuccess,
    days_failed: p.daysFailed,
    max_count_success: p.maxCountSuccess,
    max_count_failed: p.maxCountFailed,
  };
}

async function retentionOut(db: Kysely<Database>, defaults: RetentionDefaults) {
  const overrides = await readRetentionOverrides(db);
  const effective: RetentionPolicy = {
    daysSuccess: overrides.daysSuccess ?? defaults.daysSuccess,
    daysFailed: overrides.daysFailed ?? defaults.daysFailed,
    maxCountSuccess: overrides.maxCountSuccess ?? defaults.maxCountSuccess,
    maxCountFailed: overrides.maxCountFailed ?? defaults.maxCountFailed,
  };
  const [row, lease, counts] = await Promise.all([
    db.selectFrom('retention_settings').select(['updated_at']).where('id', '=', 1).executeTakeFirst(),
    db
      .selectFrom('maintenance_leases')
      .select(['last_run_at'])
      .where('name', '=', PRUNE_LEASE)
      .executeTakeFirst(),
    db
      .selectFrom('executions')
      .select(['status', (eb) => eb.fn.countAll().as('n')])
      .groupBy('status')
      .execute(),
  ]);
  return {
    effective: snake(effective),
    defaults: snake(defaults),
    overrides: snake(overrides),
    prune_interval_seconds: defaults.pruneIntervalSeconds,
    prune_batch_size: defaults.pruneBatchSize,
    max_stored_payload_bytes: defaults.maxStoredPayloadBytes,
    updated_at: row?.updated_at ?? null,
    last_pruned_at: lease?.last_run_at ?? null,
    counts: Object.fromEntries(counts.map((c) => [c.status, toInt(c.n)])),
  };
}

export async function retentionRoutes(app: FastifyInstance): Promise<void> {
  requireAuthentication(app);
  const { db } = app.services.database;
  const defaults = app.services.settings.retention;

  app.get('/', async (request) => {
    requireAdmin(request);
    return retentionOut(db, defaults);
  });

  app.patch('/', async (request) => {
    const user = requireAdmin(request);
    const input = validate(ZRetentionUpdate, request.body ?? {});
    const changes: Partial<RetentionOverrides> = {
      daysSuccess: input.days_success,
      daysFailed: input.days_failed,
      maxCountSuccess: input.max_count_success,
      maxCountFailed: input.max_count_failed,
    };
    await writeRetentionOverrides(db, changes, user.id);
    request.log.info({ retention: input }, 'retention settings changed');
    return retentionOut(db, defaults);
  });
}
