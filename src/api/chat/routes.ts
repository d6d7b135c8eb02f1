/**
 * Chat (`/api/v1/workflows/{slug}/chat…`, spec §4.8): a message starts the workflow's chat trigger
 * with the thread `<user_id>:<workflow_id>`; the reply streams over the WebSocket (`chat_token`,
 * `chat_message`, `execution_completed` on `execution:<id>` and `workflow:<slug>`). History is the
 * conversation memory of that thread, kept in the main database.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { toBool } from '../../db/values.js';
import { insertExecution } from '../../engine/execution-store.js';
import { AppError, badRequest, notFound, unprocessable } from '../../errors.js';
import { chatHistory, deleteThread, memoryThreadId } from '../../llm/conversation-store.js';
import { findTriggerNode, findVisibleWorkflow } from '../../workflows/graph.js';
import { currentUser, requireAuthentication } from '../guards.js';
import { validate } from '../validate.js';

const ZSlug = z.object({ slug: z.string().min(1).max(255) });
const ZChat = z.object({
  text: z.string().min(1).max(100_000),
  trigger_node_id: z.string().max(255).nullish(),
});
const ZHistory = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(10),
  before: z.string().optional(),
});

export async function chatRoutes(app: FastifyInstance): Promise<void> {
  requireAuthentication(app);
  const deps = app.services;
  const { db } = deps.database;

  app.post('/:slug/chat/', async (request) => {
    const user = currentUser(request);
    const { slug } = validate(ZSlug, request.params, 'path');
    const body = validate(ZChat, request.body);
    const workflow = await findVisibleWorkflow(db, user, slug);
    if (!toBool(workflow.is_active)) throw unprocessable('Workflow is inactive.');
    const trigger = await findTriggerNode(db, workflow.id, 'trigger_chat', body.trigger_node_id);
    if (!trigger) throw notFound('No chat trigger found.');
    const row = await insertExecution(db, {
      workflowId: workflow.id,
      triggerNodeId: trigger.node_id,
      userId: user.id,
      payload: { text: body.text },
      threadId: memoryThreadId(user.id, workflow.id),
    });
    try {
      await deps.queue.enqueue({ executionId: row.execution_id });
    } catch (err) {
      request.log.error({ err }, 'could not enqueue a chat execution');
      await db.deleteFrom('executions').where('execution_id', '=', row.execution_id).execute();
      throw new AppError(503, 'Failed to enqueue workflow execution.', 'UNAVAILABLE');
    }
    return { execution_id: row.execution_id, status: 'pending', response: '' };
  });

  app.get('/:slug/chat/history', async (request) => {
    const user = currentUser(request);
    const { slug } = validate(ZSlug, request.params, 'path');
    const query = validate(ZHistory, request.query, 'query');
    const workflow = await findVisibleWorkflow(db, user, slug);
    let before: string | undefined;
    if (query.before) {
      const ms = Date.parse(query.before);
      if (Number.isNaN(ms)) {
        throw badRequest("Invalid 'before' datetime format. Use ISO 8601 (e.g. 2026-01-01T00:00:00Z).");
      }
      before = new Date(ms).toISOString();
    }
    const thread_id = memoryThreadId(user.id, workflow.id);
    const { messages, has_more } = await chatHistory(db, thread_id, query.limit, before);
    return { messages, thread_id, has_more };
  });

  app.delete('/:slug/chat/history', async (request, reply) => {
    const user = currentUser(request);
    const { slug } = validate(ZSlug, request.params, 'path');
    const workflow = await findVisibleWorkflow(db, user, slug);
    await deleteThread(db, memoryThreadId(user.id, workflow.id));
    return reply.code(204).send();
  });
}
