import { readFileSync } from 'node:fs';
import { loadSettings } from '../config.js';
import { openDatabase } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { compileDsl } from '../workflows/dsl/compile.js';
import { persistPlan } from '../workflows/dsl/persist.js';
import { cliUser } from './workflow-user.js';

/** `pipelit import FILE [--slug S] [--user NAME]`: creates a workflow; prints `{slug, id}` or every error. */
export async function importCommand(file: string, opts: { user?: string; slug?: string }): Promise<void> {
  const text = readFileSync(file, 'utf8');
  const database = openDatabase(loadSettings().database);
  try {
    await migrateToLatest(database);
    const user = await cliUser(database.db, opts.user);
    const result = await compileDsl(database.db, user, text);
    if (!result.plan || result.errors.length) {
      throw new Error(`${file} is invalid:\n${result.errors.map((e) => `  ${e}`).join('\n')}`);
    }
    const row = await persistPlan(database.db, user, result.plan, opts.slug);
    process.stdout.write(`${JSON.stringify({ slug: row.slug, id: Number(row.id) })}\n`);
  } finally {
    await database.close();
  }
}
