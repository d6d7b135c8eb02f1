/**
 * `/api/v1/memories` (spec §4.12) — admin only (403 for normal users): lists and batch deletes of
 * facts, episodes, procedures, known end users and conversation checkpoints, plus erasure of
 * everything about one end user: `DELETE /users/{canonical_id}/`.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { toInt } from '../../db/values.js';
import { completeFinishedEpisodes } from '../../memory/episodes.js';
import { forgetEndUser } from '../../memory/forget-end-user.js';
import { requireAdmin, requireAuthentication } from '../guards.js';
import { ZPage } from '../pagination.js';
import { validate } from '../validate.js';
import { episodeOut, factOut, memoryUserOut, procedureOut } from './memory-out.js';

const ZIds = z.object({ ids: z.array(z.string().max(64)).max(1000).default([]) });
const ZFacts = ZPage.extend({
  scope: z.enum(['session', 'user', 'agent', 'global']).optional(),
  fact_type: z.string().max(32).optional(),
  user_id: z.string().max(255).optional(),
});
const ZByAgent = ZPage.extend({
  agent_id: z.string().max(255).optional(),
  user_id: z.string().max(255).optional(),
});
const ZCheckpoints = ZPage.extend({ thread_id: z.string().max(255).optional() });
const ZCheckpointDelete = z.object({
  thread_ids: z.array(z.string().max(255)).max(1000).default([]),
  checkpoint_ids: z
    .array(z.union([z.string().max(64), z.number().int()]))
    .max(1000)
    .default([]),
});
const ZCanonical = z.object({ canonical_id: z.string().min(1).max(255) });

type MemoryTable = 'memory_facts' | 'memory_episodes' | 'memory_procedures' | 'memory_users';

export async function memoriesRoutes(app: FastifyInstance): Promise<void> {
  requireAuthentication(app);
  app.addHook('preHandler', async (request) => {
    requireAdmin(request);
  });
  const { db } = app.services.database;

  const batchDelete = (path: string, table: MemoryTable) =>
    app.post(`/${path}/batch-delete/`, async (request, reply) => {
      const { ids } = validate(ZIds, request.body);
      if (ids.length) await db.deleteFrom(table).where('id', 'in', ids).execute();
      reply.status(204);
    });

  app.get('/facts/', async (request) => {
    const q = validate(ZFacts, request.query, 'query');
    let base = db.selectFrom('memory_facts');
    if (q.scope) base = base.where('scope', '=', q.scope);
    if (q.fact_type) base = base.where('fact_type', '=', q.fact_type);
    if (q.user_id) base = base.where('end_user_id', '=', q.user_id);
    const [rows, total] = await Promise.all([
      base.selectAll().orderBy('updated_at', 'desc').orderBy('id').limit(q.limit).offset(q.offset).execute(),
      base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(factOut), total: toInt(total.n) };
  });
  batchDelete('facts', 'memory_facts');

  app.get('/episodes/', async (request) => {
    const q = validate(ZByAgent, request.query, 'query');
    await completeFinishedEpisodes(db);
    let base = db.selectFrom('memory_episodes');
    if (q.agent_id) base = base.where('agent_id', '=', q.agent_id);
    if (q.user_id) base = base.where('end_user_id', '=', q.user_id);
    const [rows, total] = await Promise.all([
      base.selectAll().orderBy('started_at', 'desc').orderBy('id').limit(q.limit).offset(q.offset).execute(),
      base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(episodeOut), total: toInt(total.n) };
  });
  batchDelete('episodes', 'memory_episodes');

  app.get('/procedures/', async (request) => {
    const q = validate(ZByAgent, request.query, 'query');
    let base = db.selectFrom('memory_procedures');
    if (q.agent_id) base = base.where('agent_id', '=', q.agent_id);
    if (q.user_id) base = base.where('end_user_id', '=', q.user_id);
    const [rows, total] = await Promise.all([
      base.selectAll().orderBy('created_at', 'desc').orderBy('id').limit(q.limit).offset(q.offset).execute(),
      base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(procedureOut), total: toInt(total.n) };
  });
  batchDelete('procedures', 'memory_procedures');

  app.get('/users/', async (request) => {
    const q = validate(ZPage, request.query, 'query');
    const base = db.selectFrom('memory_users');
    const [rows, total] = await Promise.all([
      base
        .selectAll()
        .orderBy('last_seen_at', 'desc')
        .orderBy('id')
        .limit(q.limit)
        .offset(q.offset)
        .execute(),
      base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(memoryUserOut), total: toInt(total.n) };
  });
  batchDelete('users', 'memory_users');

  /** Erases everything about one end user, across every owner's memory (GDPR-style request). */
  app.delete('/users/:canonical_id/', async (request) => {
    const { canonical_id } = validate(ZCanonical, request.params, 'path');
    const removed = await forgetEndUser(db, canonical_id);
    request.log.info({ removed }, 'end user memory erased');
    return { ok: true, canonical_id, removed };
  });

  // Conversation memory lives in `conversation_messages`: each message is shown as one checkpoint.
  app.get('/checkpoints/', async (request) => {
    const q = validate(ZCheckpoints, request.query, 'query');
    let base = db.selectFrom('conversation_messages');
    if (q.thread_id) base = base.where('thread_id', '=', q.thread_id);
    const [rows, total] = await Promise.all([
      base
        .select(['id', 'thread_id', 'role', 'content'])
        .orderBy('id', 'desc')
        .limit(q.limit)
        .offset(q.offset)
        .execute(),
      base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow(),
    ]);
    const items = [];
    for (const r of rows) {
      const before = await db
        .selectFrom('conversation_messages')
        .select((eb) => [eb.fn.max('id').as('parent'), eb.fn.countAll().as('step')])
        .where('thread_id', '=', r.thread_id)
        .where('id', '<', r.id)
        .executeTakeFirst();
      items.push({
        thread_id: r.thread_id,
        checkpoint_ns: '',
        checkpoint_id: String(r.id),
        parent_checkpoint_id:
          before?.parent === null || before?.parent === undefined ? null : String(before.parent),
        step: toInt(before?.step),
        source: r.role,
        blob_size: Buffer.byteLength(r.content),
      });
    }
    return { items, total: toInt(total.n) };
  });

  app.post('/checkpoints/batch-delete/', async (request, reply) => {
    const body = validate(ZCheckpointDelete, request.body);
    if (body.thread_ids.length)
      await db.deleteFrom('conversation_messages').where('thread_id', 'in', body.thread_ids).execute();
    const ids = body.checkpoint_ids.map(Number).filter((n) => Number.isInteger(n));
    if (ids.length) await db.deleteFrom('conversation_messages').where('id', 'in', ids).execute();
    reply.status(204);
  });
}
