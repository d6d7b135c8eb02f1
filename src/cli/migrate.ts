import { loadSettings } from '../config.js';
import { openDatabase } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';

export async function migrateCommand(): Promise<void> {
  const settings = loadSettings();
  const database = openDatabase(settings.database);
  try {
    const { applied } = await migrateToLatest(database);
    process.stdout.write(
      applied.length
        ? `Applied ${applied.length} migration(s): ${applied.join(', ')}\n`
        : 'Database is up to date.\n',
    );
  } finally {
    await database.close();
  }
}
