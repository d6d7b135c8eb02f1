/**
 * Every migration, in order. Add a new file for each schema change and list it here; never edit a
 * migration that has shipped.
 */
import type { Migration } from 'kysely';
import * as m0001 from './0001-users-keys-workspaces.js';
import * as m0002 from './0002-workflows.js';
import * as m0003 from './0003-security.js';
import * as m0004 from './0004-executions.js';

export const migrations: Record<string, Migration> = {
  '0001-users-keys-workspaces': m0001,
  '0002-workflows': m0002,
  '0003-security': m0003,
  '0004-executions': m0004,
};
