/**
 * A lease row per periodic job so that, in a cluster (several server processes, workers), only one
 * process runs the job at a time and at most once per interval. The holder renews the lease while it
 * works; a crashed holder's lease simply expires.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

/**
 * Takes the lease `name` for `owner` when it is free (or already ours) and the job is due (last run
 * older than `intervalMs`). Returns true when this process should run the job now.
 */
export async function acquireDueLease(
  db: Kysely<Database>,
  name: string,
  owner: string,
  ttlMs: number,
  intervalMs: number,
  now = Date.now(),
): Promise<boolean> {
  const nowIso = new Date(now).toISOString();
  await db
    .insertInto('maintenance_leases')
    .values({ name, owner: '', expires_at: new Date(0).toISOString(), last_run_at: null })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const dueBefore = new Date(now - intervalMs).toISOString();
  const res = await db
    .updateTable('maintenance_leases')
    .set({ owner, expires_at: new Date(now + ttlMs).toISOString() })
    .where('name', '=', name)
    .where((eb) => eb.or([eb('expires_at', '<', nowIso), eb('owner', '=', owner)]))
    .where((eb) => eb.or([eb('last_run_at', 'is', null), eb('last_run_at', '<=', dueBefore)]))
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/** Extends a held lease; false when another process took it over (ours had expired). */
export async function renewLease(
  db: Kysely<Database>,
  name: string,
  owner: string,
  ttlMs: number,
): Promise<boolean> {
  const res = await db
    .updateTable('maintenance_leases')
    .set({ expires_at: new Date(Date.now() + ttlMs).toISOString() })
    .where('name', '=', name)
    .where('owner', '=', owner)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/** Marks the job done now and frees the lease. */
export async function finishLease(db: Kysely<Database>, name: string, owner: string): Promise<void> {
  const now = new Date().toISOString();
  await db
    .updateTable('maintenance_leases')
    .set({ expires_at: now, last_run_at: now })
    .where('name', '=', name)
    .where('owner', '=', owner)
    .execute();
}
