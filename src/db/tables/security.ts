/** MFA challenges and recovery codes, login/MFA throttling counters and the audit log. */
import type { Generated } from 'kysely';

/** A password step that succeeded for an MFA user; the second step must present (or match) it. */
export interface MfaChallengesTable {
  id: Generated<number>;
  user_id: number;
  /** SHA-256 (hex) of the `mfa_token` handed to the client; the token itself is never stored. */
  token_hash: string;
  /** The client address of the password step (for clients that send only `{username, code}`). */
  client_ip: string;
  created_at: string;
  expires_at: string;
}

/** Single-use recovery codes, stored as SHA-256 (hex) of the normalised code. */
export interface MfaRecoveryCodesTable {
  id: Generated<number>;
  user_id: number;
  code_hash: string;
  created_at: string;
  used_at: string | null;
}

/**
 * One counter per `(scope, subject)`: e.g. `mfa_rate`/`<user id>`, `mfa_fail`/`<user id>`,
 * `login_fail`/`<username>`, `login_ip`/`<address>`. Kept in the database so every process sees it.
 */
export interface AuthThrottlesTable {
  id: Generated<number>;
  scope: string;
  subject: string;
  count: number;
  window_started_at: string;
  updated_at: string;
  locked_until: string | null;
}

export interface AuditEventsTable {
  id: Generated<number>;
  created_at: string;
  actor_user_id: number | null;
  action: string;
  target: string;
  ip: string;
  /** JSON object with event-specific fields (never secrets). */
  details: string;
}

export type SecurityTables = {
  mfa_challenges: MfaChallengesTable;
  mfa_recovery_codes: MfaRecoveryCodesTable;
  auth_throttles: AuthThrottlesTable;
  audit_events: AuditEventsTable;
};
