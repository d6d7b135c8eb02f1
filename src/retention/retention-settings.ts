/**
 * Effective retention: the environment defaults (src/config.ts) with the admin's overrides from the
 * `retention_settings` row on top. 0 means "no limit" for every field.
 */
import type { Kysely } from 'kysely';
import type { RetentionDefaults } from '../config.js';
import type { Database } from '../db/schema.js';
import { nowIso } from '../db/values.js';

export interface RetentionPolicy {
  /** Successful (completed) executions older than this many days are pruned. */
  daysSuccess: number;
  /** Failed and cancelled executions older than this many days are pruned. */
  daysFailed: number;
  /** At most this many successful executions are kept (newest first). */
  maxCountSuccess: number;
  maxCountFailed: number;
}

export type RetentionOverrides = { [K in keyof RetentionPolicy]: number | null };

const COLUMNS = {
  daysSuccess: 'days_success',
  daysFailed: 'days_failed',
  maxCountSuccess: 'max_count_success',
  maxCountFailed: 'max_count_failed',
} as const;

export async function readRetentionOverrides(db: Kysely<Database>): Promise<RetentionOverrides> {
  const row = await db.selectFrom('retention_settings').selectAll().where('id', '=', 1).executeTakeFirst();
  return {
    daysSuccess: row?.days_success ?? null,
    daysFailed: row?.days_failed ?? null,
    maxCountSuccess: row?.max_count_success ?? null,
    maxCountFailed: row?.max_count_failed ?? null,
  };
}

export async function resolveRetention(
  db: Kysely<Database>,
  defaults: RetentionDefaults,
): Promise<RetentionPolicy> {
  const o = await readRetentionOverrides(db);
  return {
    daysSuccess: o.daysSuccess ?? defaults.daysSuccess,
    daysFailed: o.daysFailed ?? defaults.daysFailed,
    maxCountSuccess: o.maxCountSuccess ?? defaults.maxCountSuccess,
    maxCountFailed: o.maxCountFailed ?? defaults.maxCountFailed,
  };
}

/** Stores overrides; a field given as null goes back to the environment default, absent stays. */
export async function writeRetentionOverrides(
  db: Kysely<Database>,
  changes: Partial<RetentionOverrides>,
  userId: number | null,
): Promise<void> {
  const set: Record<string, number | null | string> = { updated_at: nowIso() };
  for (const [key, column] of Object.entries(COLUMNS)) {
    const value = changes[key as keyof RetentionPolicy];
    if (value !== undefined) set[column] = value;
  }
  await db
    .insertInto('retention_settings')
    .values({
      id: 1,
      days_success: null,
      days_failed: null,
      max_count_success: null,
      max_count_failed: null,
      updated_at: null,
      updated_by: userId,
      ...set,
    })
    .onConflict((oc) => oc.column('id').doUpdateSet({ ...set, updated_by: userId }))
    .execute();
}
