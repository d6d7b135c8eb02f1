/**
 * Table types as Kysely sees them. Conventions shared by SQLite and PostgreSQL:
 * - timestamps are ISO-8601 UTC strings ending in `Z` (text columns), so both databases sort
 *   and compare them the same way;
 * - JSON values are stored as text and parsed by the row mappers;
 * - booleans are `boolean` on PostgreSQL and 0/1 on SQLite: read them through `toBool`.
 */
import type { Generated } from 'kysely';
import type { LlmTables } from './tables/credentials.js';
import type { ExecutionTables } from './tables/executions.js';
import type { MemoryTables } from './tables/memory.js';
import type { RetentionTables } from './tables/retention.js';
import type { ScheduleTables } from './tables/schedules.js';
import type { SecurityTables } from './tables/security.js';
import type { WorkflowTables } from './tables/workflows.js';

export type Bool = boolean | number;

export interface UsersTable {
  id: Generated<number>;
  username: string;
  password_hash: string;
  first_name: string;
  last_name: string;
  role: 'admin' | 'normal';
  external_user_id: string | null;
  totp_secret: string | null;
  mfa_enabled: Bool;
  totp_last_used_step: number | null;
  created_at: string;
  updated_at: string;
  /** Set when an admin deletes the user: keys stop working and login is refused for good. */
  deleted_at: string | null;
}

export interface ApiKeysTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  /** SHA-256 (hex) of the key; the key itself is shown once and never stored. */
  key_hash: string;
  prefix: string;
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
  is_active: Bool;
}

export interface WorkspacesTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  path: string;
  allow_network: Bool;
  /** JSON list of `{key, source, value?, credential_id?, credential_field?}`. */
  env_vars: string;
  created_at: string;
}

export interface CoreTables {
  users: UsersTable;
  api_keys: ApiKeysTable;
  workspaces: WorkspacesTable;
}

/** Every table. Each feature declares its tables in `tables/<feature>.ts`. */
export interface Database
  extends CoreTables,
    WorkflowTables,
    ExecutionTables,
    SecurityTables,
    RetentionTables,
    ScheduleTables,
    LlmTables,
    MemoryTables {}
