import { createFirstAdmin } from '../auth/create-user.js';
import { issueApiKey } from '../auth/issue-api-key.js';
import { MIN_PASSWORD_LENGTH } from '../auth/passwords.js';
import { loadSettings } from '../config.js';
import { openDatabase } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { UsageError } from './fail.js';

export async function setupCommand(opts: { username: string; password?: string }): Promise<void> {
  const password = opts.password ?? process.env.PIPELIT_SETUP_PASSWORD;
  if (!password) throw new UsageError('--password: required (or set PIPELIT_SETUP_PASSWORD)');
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new UsageError(`--password: must be at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  const username = opts.username.trim();
  if (!username || username.length > 150) throw new UsageError('--username: must be 1 to 150 characters');

  const settings = loadSettings();
  const database = openDatabase(settings.database);
  try {
    await migrateToLatest(database);
    const user = await createFirstAdmin(database.db, settings.dataDir, { username, password });
    if (!user) {
      const first = await database.db.selectFrom('users').select('username').orderBy('id').executeTakeFirst();
      process.stdout.write(
        `${JSON.stringify({ username: first?.username ?? null, setup_completed: true })}\n`,
      );
      return;
    }
    const { key } = await issueApiKey(database.db, user.id, 'default');
    process.stdout.write(
      `${JSON.stringify({ username: user.username, setup_completed: true, api_key: key })}\n`,
    );
  } finally {
    await database.close();
  }
}
