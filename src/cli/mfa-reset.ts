/**
 * `pipelit mfa-reset --username U`: the only emergency MFA reset (there is no HTTP route, §16.31).
 * Whoever can run this has the server's settings and database, so no further proof is asked.
 */
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { consumeMfaChallenges } from '../auth/mfa/challenges.js';
import { deleteRecoveryCodes } from '../auth/mfa/recovery-codes.js';
import { clearMfaThrottles } from '../auth/mfa/verify-mfa-code.js';
import { loadSettings } from '../config.js';
import { openDatabase } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { nowIso } from '../db/values.js';
import { UsageError } from './fail.js';

export async function mfaResetCommand(opts: { username: string }): Promise<void> {
  const username = opts.username.trim();
  if (!username) throw new UsageError('--username: required');
  const settings = loadSettings();
  const database = openDatabase(settings.database);
  try {
    await migrateToLatest(database);
    const { db } = database;
    const user = await db
      .selectFrom('users')
      .select(['id', 'username'])
      .where('username', '=', username)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (!user) throw new UsageError(`--username: no user named ${JSON.stringify(username)}`);
    await db
      .updateTable('users')
      .set({ mfa_enabled: false, totp_secret: null, totp_last_used_step: null, updated_at: nowIso() })
      .where('id', '=', user.id)
      .execute();
    await deleteRecoveryCodes(db, user.id);
    await consumeMfaChallenges(db, user.id);
    await clearMfaThrottles(db, user.id);
    await recordAuditEvent(db, {
      actor_user_id: null,
      action: 'mfa.reset',
      target: `user:${user.id}`,
      ip: '',
      details: { via: 'cli' },
    });
    process.stdout.write(`${JSON.stringify({ username: user.username, mfa_enabled: false })}\n`);
  } finally {
    await database.close();
  }
}
