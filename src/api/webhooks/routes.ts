/**
 * Webhook triggers (ARCHITECTURE.md §9): `POST /api/v1/webhooks/{slug}` starts the workflow's active
 * webhook trigger, `POST /api/v1/webhooks/{slug}/{node_id}` a given one. Authenticated by an API key
 * (Bearer or `?api_key=`, redacted from access logs) or, per trigger, a shared-secret header or an
 * HMAC-SHA256 signature of the raw body. Answers 202 at once, or in wait mode 200 with the final output.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import { z } from 'zod';
import { bearerFrom, verifyApiKey } from '../../auth/verify-api-key.js';
import type { Bool } from '../../db/schema.js';
import { toBool } from '../../db/values.js';
import { parseNodeConfig } from '../../engine/graph.js';
import { startExecution } from '../../engine/start-execution.js';
import { AppError, badRequest, notFound, unauthorized } from '../../errors.js';
import { ZWebhookConfig } from '../../nodes/trigger-webhook.js';
import { executionChannel } from '../../realtime/events.js';
import { validate } from '../validate.js';

declare module 'fastify' {
  interface FastifyRequest {
    rawBody?: string;
  }
}

const ZParams = z.object({ slug: z.string().min(1).max(255), node_id: z.string().max(255).optional() });
const SENSITIVE_HEADERS = new Set(['authorization', 'cookie', 'x-api-key', 'proxy-authorization']);

type WebhookSettings = z.infer<typeof ZWebhookConfig>;
const parsedConfigs = new Map<string, { active: boolean; settings: WebhookSettings }>();
const MAX_PARSED_CONFIGS = 500;

/** A trigger node's stored config, parsed and validated once per distinct text (every call needs it). */
function triggerConfig(text: string | null): { active: boolean; settings: WebhookSettings } {
  const key = text ?? '';
  let parsed = parsedConfigs.get(key);
  if (!parsed) {
    const config = parseNodeConfig(text);
    parsed = { active: config.is_active, settings: ZWebhookConfig.parse(config.extra_config) };
    if (parsedConfigs.size >= MAX_PARSED_CONFIGS) parsedConfigs.delete(parsedConfigs.keys().next().value!);
    parsedConfigs.set(key, parsed);
  }
  return parsed;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function webhooksRoutes(app: FastifyInstance): Promise<void> {
  const deps = app.services;
  const { db } = deps.database;

  // Keep the raw text (signatures are computed over it); JSON is parsed here with a clear 400.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    request.rawBody = text;
    const type = String(request.headers['content-type'] ?? '');
    if (text.trim() === '') return done(null, {});
    if (/json/i.test(type) || !type) {
      try {
        return done(null, JSON.parse(text));
      } catch (err) {
        return done(badRequest(`Malformed JSON body: ${(err as Error).message}`), undefined);
      }
    }
    done(null, { raw: text });
  });

  const handler = async (request: FastifyRequest, reply: import('fastify').FastifyReply) => {
    const { slug, node_id } = validate(ZParams, request.params, 'path');
    // One query, fixed SQL text (it runs for every webhook call): the workflow's webhook triggers.
    const { rows: candidates } = await sql<{
      node_id: string;
      config: string | null;
      workflow_id: number;
      owner_id: number;
      is_active: Bool;
    }>`
      select n.node_id, n.config, w.id as workflow_id, w.owner_id, w.is_active
      from workflow_nodes n join workflows w on w.id = n.workflow_id
      where w.slug = ${slug} and n.component_type = 'trigger_webhook'
        ${node_id ? sql`and n.node_id = ${node_id}` : sql``}
      order by n.id`.execute(db);
    const trigger = candidates.find((c) => toBool(c.is_active) && triggerConfig(c.config).active);
    if (!trigger) throw notFound('Webhook not found.');
    const workflow = { id: trigger.workflow_id, owner_id: trigger.owner_id };
    const { settings } = triggerConfig(trigger.config);
    if (request.method !== settings.method)
      throw new AppError(405, `This webhook accepts ${settings.method}.`);

    const query = { ...(request.query as Record<string, unknown>) };
    let userId = workflow.owner_id;
    if (settings.auth === 'api_key') {
      const key =
        bearerFrom(request.headers.authorization) ??
        (typeof query.api_key === 'string' ? query.api_key : undefined);
      const user = await verifyApiKey(db, key);
      if (user.role !== 'admin' && user.id !== workflow.owner_id) throw notFound('Webhook not found.');
      userId = user.id;
    } else if (settings.auth === 'header') {
      const given = request.headers[settings.secret_header.toLowerCase()];
      if (!settings.secret || typeof given !== 'string' || !sameSecret(given, settings.secret)) {
        throw unauthorized('Invalid webhook secret.');
      }
    } else {
      const given = String(request.headers[settings.signature_header.toLowerCase()] ?? '').replace(
        /^sha256=/,
        '',
      );
      const expected = createHmac('sha256', settings.secret)
        .update(request.rawBody ?? '')
        .digest('hex');
      if (!settings.secret || !sameSecret(given, expected)) throw unauthorized('Invalid webhook signature.');
    }
    delete query.api_key;

    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (SENSITIVE_HEADERS.has(name) || name === settings.secret_header.toLowerCase()) continue;
      if (typeof value === 'string') headers[name] = value;
    }
    const body = request.body as Record<string, unknown>;
    const payload: Record<string, unknown> = { payload: body, headers, query };
    if (body && typeof body === 'object' && typeof body.text === 'string') payload.text = body.text;

    const wait = settings.response_mode === 'wait' || query.wait === 'true' || query.wait === '1';
    // Subscribe before starting so a fast execution cannot finish unseen.
    let settle: ((message: Record<string, unknown>) => void) | undefined;
    const finished = new Promise<Record<string, unknown>>((resolve) => {
      settle = resolve;
    });
    let unsubscribe: (() => Promise<void>) | undefined;
    const executionId = crypto.randomUUID();
    if (wait) {
      unsubscribe = await deps.bus.subscribe(executionChannel(executionId), (_c, message) => {
        if (
          ['execution_completed', 'execution_failed', 'execution_cancelled'].includes(String(message.type))
        ) {
          settle?.(message);
        }
      });
    }
    try {
      // In wait mode the caller holds the answer: the run may write its row late (start-execution.ts).
      await startExecution(
        deps,
        { executionId, workflowId: workflow.id, triggerNodeId: trigger.node_id, userId, payload },
        { deferWrite: wait },
      );
      if (!wait) {
        reply.status(202);
        return { status: 'accepted', execution_id: executionId, message: 'Workflow execution started.' };
      }
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), settings.wait_timeout_seconds * 1000);
      });
      const outcome = await Promise.race([finished, timeout]).finally(() => clearTimeout(timer));
      if (!outcome) {
        reply.status(202);
        return {
          status: 'accepted',
          execution_id: executionId,
          message: 'Still running; poll the execution for its result.',
        };
      }
      // The completion event carries the final output; no need to read the row back.
      const data = (outcome.data ?? {}) as Record<string, unknown>;
      if (outcome.type === 'execution_completed') {
        return { status: 'completed', execution_id: executionId, output: data.output ?? null };
      }
      const status = outcome.type === 'execution_failed' ? 'failed' : 'cancelled';
      return { status, execution_id: executionId, output: null, error: data.error ?? status };
    } finally {
      await unsubscribe?.();
    }
  };

  for (const path of ['/:slug', '/:slug/:node_id']) {
    app.route({ method: ['POST', 'PUT', 'PATCH', 'GET'], url: path, handler });
  }
}
