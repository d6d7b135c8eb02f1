import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, WAL_SIZE_LIMIT_BYTES } from './database.js';
import { BACKSTOP_AUTOCHECKPOINT_PAGES } from './wal-checkpointer.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Writes ~2 MiB in 20 commits: below the default 1,000-page automatic checkpoint. */
async function writeRows(database: ReturnType<typeof openDatabase>): Promise<void> {
  await sql`create table blobs (id integer primary key, body text not null)`.execute(database.db);
  for (let i = 0; i < 20; i++) {
    await sql`insert into blobs (body) values (${'x'.repeat(100_000)})`.execute(database.db);
  }
}

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return check();
}

function target() {
  const dir = mkdtempSync(join(tmpdir(), 'pipelit-wal-'));
  dirs.push(dir);
  const path = join(dir, 'db.sqlite');
  return { kind: 'sqlite' as const, path, url: `sqlite:///${path}` };
}

describe('background WAL checkpoints', () => {
  it('copy committed pages into the database file from a worker thread', async () => {
    const t = target();
    const database = openDatabase(t, { backgroundCheckpoint: true });
    try {
      const { rows } = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(
        database.db,
      );
      expect(rows[0].wal_autocheckpoint).toBe(BACKSTOP_AUTOCHECKPOINT_PAGES);
      await writeRows(database);
      // The main connection did not checkpoint (below its threshold); the worker did.
      expect(await until(() => statSync(t.path).size > 2_000_000, 3_000)).toBe(true);
      const { rows: count } = await sql<{ n: number }>`select count(*) as n from blobs`.execute(database.db);
      expect(count[0].n).toBe(20);
    } finally {
      await database.close();
    }
  });

  it('leave the pages in the WAL without it (the event loop would checkpoint at 1,000 pages)', async () => {
    const t = target();
    const database = openDatabase(t);
    try {
      await writeRows(database);
      await new Promise((r) => setTimeout(r, 300));
      expect(statSync(t.path).size).toBeLessThan(1_000_000);
      expect(statSync(`${t.path}-wal`).size).toBeGreaterThan(2_000_000);
    } finally {
      await database.close();
    }
  });

  it('shrink a WAL that a burst of writes grew, once the log restarts (journal_size_limit)', async () => {
    const t = target();
    const database = openDatabase(t, { backgroundCheckpoint: true });
    try {
      await sql`create table blobs (id integer primary key, body text not null)`.execute(database.db);
      // One transaction of ~24 MiB: the WAL must hold all of it until it commits.
      await database.db.transaction().execute(async (trx) => {
        for (let i = 0; i < 240; i++)
          await sql`insert into blobs (body) values (${'y'.repeat(100_000)})`.execute(trx);
      });
      expect(statSync(`${t.path}-wal`).size).toBeGreaterThan(WAL_SIZE_LIMIT_BYTES);
      // The worker copies it into the database file; the next write restarts the log and truncates it.
      expect(await until(() => statSync(t.path).size > 20_000_000, 5_000)).toBe(true);
      let small = false;
      for (let i = 0; i < 50 && !small; i++) {
        await sql`insert into blobs (body) values ('z')`.execute(database.db);
        small = statSync(`${t.path}-wal`).size <= WAL_SIZE_LIMIT_BYTES;
        if (!small) await new Promise((r) => setTimeout(r, 50));
      }
      expect(small).toBe(true);
    } finally {
      await database.close();
    }
  });
});
