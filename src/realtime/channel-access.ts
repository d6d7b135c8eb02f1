/**
 * Who may watch which channel (fix for spec §16.28): `workflow:<slug>` for workflows the user may
 * read, `execution:<id>` for executions of those workflows; admins may watch every workflow and
 * execution channel. Anything else is refused.
 */
import type { Kysely } from 'kysely';
import type { AuthUser } from '../auth/verify-api-key.js';
import type { Database } from '../db/schema.js';
import { writeDeferredExecution } from '../engine/run-execution.js';

export type AccessDecision = { ok: true } | { ok: false; detail: string };

const MAX_CHANNEL = 300;

export async function mayWatchChannel(
  db: Kysely<Database>,
  user: Pick<AuthUser, 'id' | 'role'>,
  channel: string,
): Promise<AccessDecision> {
  const match = /^(workflow|execution):(.+)$/.exec(channel);
  if (!match || channel.length > MAX_CHANNEL) {
    return { ok: false, detail: 'Unknown channel: use workflow:<slug> or execution:<execution_id>.' };
  }
  if (user.role === 'admin') return { ok: true };
  const [, kind, key] = match;
  const ownExecution = () =>
    db
      .selectFrom('executions')
      .innerJoin('workflows', 'workflows.id', 'executions.workflow_id')
      .select('executions.execution_id')
      .where('executions.execution_id', '=', key)
      .where('workflows.owner_id', '=', user.id)
      .executeTakeFirst();
  let found =
    kind === 'workflow'
      ? await db
          .selectFrom('workflows')
          .select('id')
          .where('slug', '=', key)
          .where('owner_id', '=', user.id)
          .executeTakeFirst()
      : await ownExecution();
  // An execution started here moments ago may not have written its row yet (see run-execution.ts, writeDeferredExecution).
  if (!found && kind === 'execution' && (await writeDeferredExecution(key))) found = await ownExecution();
  // The same answer for "missing" and "someone else's", so channels cannot be probed.
  return found ? { ok: true } : { ok: false, detail: 'Channel not found or not allowed.' };
}
