/**
 * Every migration, in order. Add a new file for each schema change and list it here; never edit a
 * migration that has shipped.
 */
import type { Migration } from 'kysely';
import * as m0001 from './0001-users-keys-workspaces.js';
import * as m0002 from './0002-workflows.js';
import * as m0003 from './0003-security.js';
import * as m0004 from './0004-executions.js';
import * as m0005 from './0005-credentials.js';
import * as m0006 from './0006-schedules.js';
import * as m0007 from './0007-retention.js';
import * as m0008 from './0008-memory.js';
import * as m0009 from './0009-graph-version.js';
import * as m0010 from './0010-execution-indexes.js';
import * as m0011 from './0011-pending-task-iteration.js';

export const migrations: Record<string, Migration> = {
  '0001-users-keys-workspaces': m0001,
  '0002-workflows': m0002,
  '0003-security': m0003,
  '0004-executions': m0004,
  '0005-credentials': m0005,
  '0006-schedules': m0006,
  '0007-retention': m0007,
  '0008-memory': m0008,
  '0009-graph-version': m0009,
  '0010-execution-indexes': m0010,
  '0011-pending-task-iteration': m0011,
};
