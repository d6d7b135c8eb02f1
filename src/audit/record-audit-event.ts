/**
 * The audit log of security events. Callers pass what happened; recording never fails the request
 * (a broken audit write is logged, not thrown). Never put secrets in `details`.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { nowIso, toJson } from '../db/values.js';
import type { Logger } from '../logger.js';

/** Actions recorded today; other features add their own (e.g. `credential.created`). */
export type AuditAction =
  | 'auth.login_succeeded'
  | 'auth.login_failed'
  | 'auth.lockout'
  | 'auth.setup'
  | 'mfa.login_succeeded'
  | 'mfa.login_failed'
  | 'mfa.lockout'
  | 'mfa.enabled'
  | 'mfa.disabled'
  | 'mfa.reset'
  | 'mfa.recovery_code_used'
  | 'api_key.created'
  | 'api_key.revoked'
  | 'user.created'
  | 'user.updated'
  | 'user.role_changed'
  | 'user.deleted'
  | (string & {});

export interface AuditEventInput {
  actor_user_id: number | null;
  action: AuditAction;
  /** What was acted on, e.g. `user:12`, `api_key:4`, or a username for failed logins. */
  target?: string;
  ip?: string;
  details?: Record<string, unknown>;
}

export async function recordAuditEvent(
  db: Kysely<Database>,
  event: AuditEventInput,
  log?: Pick<Logger, 'error'>,
): Promise<void> {
  try {
    await db
      .insertInto('audit_events')
      .values({
        created_at: nowIso(),
        actor_user_id: event.actor_user_id,
        action: event.action.slice(0, 64),
        target: (event.target ?? '').slice(0, 255),
        ip: (event.ip ?? '').slice(0, 64),
        details: toJson(event.details ?? {}),
      })
      .execute();
  } catch (err) {
    log?.error({ err, action: event.action }, 'could not record audit event');
  }
}
