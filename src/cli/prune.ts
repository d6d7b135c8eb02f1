/**
 * `pipelit prune [--dry-run] [--json]`: runs the execution retention pass by hand (the same code the
 * background job runs, without waiting for its interval) and prints what went, by status, and the space
 * reclaimed — SQLite file (+ WAL) size before/after, or pg_total_relation_size of the execution tables.
 */
import { loadSettings } from '../config.js';
import { openDatabase } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { pruneExecutions } from '../retention/prune-executions.js';
import { resolveRetention } from '../retention/retention-settings.js';

const human = (bytes: number) =>
  bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;

export async function pruneCommand(opts: { dryRun?: boolean; json?: boolean }): Promise<void> {
  const settings = loadSettings();
  const database = openDatabase(settings.database);
  try {
    await migrateToLatest(database);
    const policy = await resolveRetention(database.db, settings.retention);
    const report = await pruneExecutions(database, policy, {
      batchSize: settings.retention.pruneBatchSize,
      dryRun: opts.dryRun,
    });
    if (opts.json) {
      process.stdout.write(`${JSON.stringify({ policy, ...report })}\n`);
      return;
    }
    const verb = report.dryRun ? 'Would remove' : 'Removed';
    const { completed, failed, cancelled } = report.removed;
    const where = database.dialect === 'sqlite' ? 'database file' : 'execution tables';
    process.stdout.write(
      `Retention: successful ${policy.daysSuccess || '∞'} days / ${policy.maxCountSuccess || '∞'} runs, ` +
        `failed ${policy.daysFailed || '∞'} days / ${policy.maxCountFailed || '∞'} runs (0 = no limit)\n` +
        `${verb} ${report.total} execution(s): ${completed} completed, ${failed} failed, ${cancelled} cancelled` +
        `${report.dryRun ? '' : ` in ${report.batches} batch(es)`}\n` +
        `Size of the ${where}: ${human(report.bytesBefore)} → ${human(report.bytesAfter)}` +
        ` (reclaimed ${human(Math.max(0, report.bytesBefore - report.bytesAfter))})\n`,
    );
  } finally {
    await database.close();
  }
}
