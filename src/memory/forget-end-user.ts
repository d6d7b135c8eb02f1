/**
 * Erases everything memory holds about one end user (GDPR-style): their facts, episodes,
 * procedures, known-user rows and the conversation messages of the threads their executions wrote.
 * `ownerId` limits the erasure to one workflow owner's memory; without it, every owner's.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

export interface ForgetReport {
  facts: number;
  episodes: number;
  procedures: number;
  users: number;
  conversation_messages: number;
}

const n = (r: { numDeletedRows: bigint }[]) => Number(r.reduce((a, x) => a + x.numDeletedRows, 0n));

export async function forgetEndUser(
  db: Kysely<Database>,
  canonicalId: string,
  ownerId?: number,
): Promise<ForgetReport> {
  return db.transaction().execute(async (trx) => {
    const owned = <T extends { where: (...a: any[]) => T }>(q: T): T =>
      ownerId === undefined ? q : q.where('owner_id', '=', ownerId);
    const executions = await owned(
      trx.selectFrom('memory_episodes').select('execution_id').where('end_user_id', '=', canonicalId),
    ).execute();
    const executionIds = executions.map((e) => e.execution_id);
    let messages = 0;
    for (let i = 0; i < executionIds.length; i += 500) {
      const chunk = executionIds.slice(i, i + 500);
      const threads = await trx
        .selectFrom('conversation_messages')
        .select('thread_id')
        .distinct()
        .where('execution_id', 'in', chunk)
        .execute();
      const threadIds = threads.map((t) => t.thread_id);
      if (threadIds.length) {
        messages += n(
          await trx.deleteFrom('conversation_messages').where('thread_id', 'in', threadIds).execute(),
        );
      }
      messages += n(
        await trx.deleteFrom('conversation_messages').where('execution_id', 'in', chunk).execute(),
      );
    }
    return {
      facts: n(await owned(trx.deleteFrom('memory_facts').where('end_user_id', '=', canonicalId)).execute()),
      episodes: n(
        await owned(trx.deleteFrom('memory_episodes').where('end_user_id', '=', canonicalId)).execute(),
      ),
      procedures: n(
        await owned(trx.deleteFrom('memory_procedures').where('end_user_id', '=', canonicalId)).execute(),
      ),
      users: n(await owned(trx.deleteFrom('memory_users').where('canonical_id', '=', canonicalId)).execute()),
      conversation_messages: messages,
    };
  });
}
