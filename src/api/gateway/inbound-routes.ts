/**
 * Gateway inbound webhook (`POST /api/v1/inbound`, spec §4.10): the messaging gateway delivers a
 * chat message; it starts the routed trigger (or answers a `/confirm_<id>` / `/cancel_<id>`), and
 * the reply goes back through the gateway when the execution completes. Auth: the bearer must equal
 * GATEWAY_INBOUND_TOKEN (constant-time comparison).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { hashPassword } from '../../auth/passwords.js';
import { bearerFrom } from '../../auth/verify-api-key.js';
import { nowIso, toBool } from '../../db/values.js';
import { insertExecution } from '../../engine/execution-store.js';
import { answerPendingTask } from '../../engine/pending-tasks.js';
import { AppError, notFound, unauthorized, unprocessable } from '../../errors.js';
import { watchForReply } from '../../gateway/deliver-reply.js';
import type { Services } from '../../services.js';
import { validate } from '../validate.js';

const ZInbound = z.looseObject({
  route: z.record(z.string(), z.unknown()),
  credential_id: z.string().max(255),
  source: z.looseObject({
    protocol: z.string().max(64).default(''),
    chat_id: z.union([z.string(), z.number()]).transform(String),
    message_id: z.union([z.string(), z.number()]).transform(String).default(''),
    reply_to_message_id: z.union([z.string(), z.number()]).transform(String).nullish(),
    from: z
      .looseObject({
        id: z.union([z.string(), z.number()]).transform(String),
        username: z.string().max(150).nullish(),
        display_name: z.string().max(255).nullish(),
      })
      .nullish(),
  }),
  text: z.string().max(100_000).default(''),
  attachments: z
    .array(
      z.looseObject({
        filename: z.string().max(1000).default(''),
        mime_type: z.string().max(255).default(''),
        size_bytes: z.number().default(0),
        download_url: z.string().max(4000).default(''),
      }),
    )
    .default([]),
  timestamp: z.string().default(''),
  extra_data: z.record(z.string(), z.unknown()).nullish(),
});

const digest = (v: string) => createHash('sha256').update(v).digest();

function tokenMatches(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** The platform user behind a gateway sender (created on first contact, without a usable password). */
async function senderUser(deps: Services, from: { id: string; username?: string | null } | null | undefined) {
  const db = deps.database.db;
  const externalId = from ? from.id : null;
  const baseName = from ? from.username || `gw_${from.id}` : 'gateway_anonymous';
  const existing = externalId
    ? await db.selectFrom('users').select('id').where('external_user_id', '=', externalId).executeTakeFirst()
    : await db.selectFrom('users').select('id').where('username', '=', baseName).executeTakeFirst();
  if (existing) return existing.id;
  const now = nowIso();
  const password = await hashPassword(randomBytes(24).toString('base64url'));
  for (let i = 0; i < 5; i++) {
    const username = (i === 0 ? baseName : `${baseName}_${i}`).slice(0, 150);
    const taken = await db
      .selectFrom('users')
      .select('id')
      .where('username', '=', username)
      .executeTakeFirst();
    if (taken) continue;
    const row = await db
      .insertInto('users')
      .values({
        username,
        password_hash: password,
        role: 'normal',
        first_name: '',
        last_name: '',
        external_user_id: externalId,
        mfa_enabled: false,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }
  throw new AppError(500, 'Could not create a user for the gateway sender.', 'INTERNAL');
}

export async function gatewayInboundRoutes(app: FastifyInstance): Promise<void> {
  const deps = app.services;
  const { db } = deps.database;

  app.post('/inbound', async (request, reply) => {
    const expected = deps.settings.gateway.inboundToken;
    // Not a server fault: the operator has not enabled gateway delivery (GATEWAY_INBOUND_TOKEN).
    if (!expected)
      throw new AppError(
        404,
        'Gateway inbound is not enabled (GATEWAY_INBOUND_TOKEN is not set).',
        'NOT_FOUND',
      );
    if (!tokenMatches(bearerFrom(request.headers.authorization) ?? '', expected))
      throw unauthorized('Invalid gateway token');
    const body = validate(ZInbound, request.body);
    const slug = body.route.workflow_slug;
    const triggerNodeId = body.route.trigger_node_id;
    if (typeof slug !== 'string' || !slug || typeof triggerNodeId !== 'string' || !triggerNodeId) {
      throw unprocessable('route must contain workflow_slug and trigger_node_id');
    }
    const workflow = await db.selectFrom('workflows').selectAll().where('slug', '=', slug).executeTakeFirst();
    if (!workflow) throw notFound('Workflow not found');
    if (!toBool(workflow.is_active)) throw unprocessable('Workflow is inactive');
    const node = await db
      .selectFrom('workflow_nodes')
      .select('node_id')
      .where('workflow_id', '=', workflow.id)
      .where('node_id', '=', triggerNodeId)
      .executeTakeFirst();
    if (!node) throw notFound('Trigger node not found');

    const command = /^\/(confirm|cancel)_(\w+)$/.exec(body.text.trim());
    if (command) {
      const taskId = command[2];
      const task = await db
        .selectFrom('pending_tasks')
        .selectAll()
        .where('task_id', '=', taskId)
        .executeTakeFirst();
      if (!task) return { status: 'not_found', task_id: taskId };
      if (Date.parse(task.expires_at) < Date.now()) {
        await db.deleteFrom('pending_tasks').where('task_id', '=', taskId).execute();
        return { status: 'expired', task_id: taskId };
      }
      const confirmed = command[1] === 'confirm';
      const executionId = await answerPendingTask(db, taskId, confirmed ? 'confirm' : 'cancel');
      if (executionId) await deps.queue.enqueue({ executionId });
      return { status: confirmed ? 'confirmed' : 'cancelled', task_id: taskId };
    }

    const userId = await senderUser(deps, body.source.from);
    let text = body.text;
    for (const a of body.attachments) {
      text += `\n[Attached file: ${a.filename} | url: ${a.download_url} | type: ${a.mime_type}]`;
    }
    const payload = {
      text,
      chat_id: body.source.chat_id,
      message_id: body.source.message_id,
      credential_id: body.credential_id,
      user_id: body.source.from?.id ?? '',
      files: body.attachments.map((a) => ({
        filename: a.filename,
        mime_type: a.mime_type,
        size_bytes: a.size_bytes,
        url: a.download_url,
      })),
    };
    const row = await insertExecution(db, {
      workflowId: workflow.id,
      triggerNodeId: node.node_id,
      userId,
      payload,
      threadId: `${userId}:${body.source.chat_id}:${workflow.id}`,
    });
    await watchForReply(
      deps,
      row.execution_id,
      {
        credentialId: body.credential_id,
        chatId: body.source.chat_id,
        replyTo: body.source.message_id || undefined,
      },
      (workflow.max_execution_seconds + 60) * 1000,
    );
    try {
      await deps.queue.enqueue({ executionId: row.execution_id });
    } catch (err) {
      request.log.error({ err }, 'could not enqueue a gateway execution');
      throw new AppError(500, 'Execution failed to start', 'INTERNAL');
    }
    reply.code(202);
    return { execution_id: row.execution_id, status: 'pending' };
  });
}
