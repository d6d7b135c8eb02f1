import { z } from 'zod';
import { CATEGORY_COLORS, defineNode } from './define-node.js';

/**
 * Started by an HTTP request to `POST /api/v1/webhooks/{slug}[/{node_id}]`. Authenticated by an API
 * key, or per trigger by a shared-secret header or an HMAC-SHA256 signature of the raw body.
 */
export const ZWebhookConfig = z.looseObject({
  method: z.enum(['POST', 'PUT', 'PATCH', 'GET']).default('POST'),
  /** `api_key` (Bearer or ?api_key=), `header` (shared secret), `hmac` (signature of the raw body). */
  auth: z.enum(['api_key', 'header', 'hmac']).default('api_key'),
  secret_header: z.string().default('X-Pipelit-Secret'),
  signature_header: z.string().default('X-Pipelit-Signature'),
  secret: z.string().default(''),
  /** `async`: answer 202 at once; `wait`: answer with the final output (202 on timeout). */
  response_mode: z.enum(['async', 'wait']).default('async'),
  wait_timeout_seconds: z.number().min(1).max(300).default(30),
});

export const triggerWebhook = defineNode({
  type: 'trigger_webhook',
  displayName: 'Webhook Trigger',
  description: 'Runs the workflow for each HTTP request to its webhook URL.',
  category: 'trigger',
  inputs: [],
  outputs: [
    { name: 'payload', data_type: 'object', description: 'The parsed JSON body' },
    { name: 'headers', data_type: 'object' },
    { name: 'query', data_type: 'object' },
  ],
  config: ZWebhookConfig,
  flags: { trigger: true, executable: false },
  palette: { label: 'Webhook', color: CATEGORY_COLORS.trigger, icon: 'webhook' },
});
