/**
 * The messaging gateway (plit-gw) client, Appendix B: send replies, manage gateway credentials.
 * The gateway URL is set by the operator (GATEWAY_URL), so it is called directly, with a 30 s
 * timeout. Errors carry the gateway's `error` text or `HTTP <code>`; unreachable → "gateway
 * unavailable".
 */
import type { Settings } from '../config.js';

export class GatewayError extends Error {
  override name = 'GatewayError';
}

async function call(
  settings: Settings,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<unknown> {
  if (!settings.gateway.url) throw new GatewayError('Gateway not configured (GATEWAY_URL is empty).');
  let res: Response;
  try {
    res = await fetch(`${settings.gateway.url.replace(/\/+$/, '')}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
  } catch {
    throw new GatewayError('gateway unavailable');
  }
  const text = await res.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = text;
  }
  if (!res.ok) {
    const message =
      data && typeof data === 'object' && 'error' in data
        ? String((data as { error: unknown }).error)
        : `HTTP ${res.status}`;
    throw new GatewayError(message);
  }
  return data;
}

export const gatewayAdmin = (settings: Settings, method: string, path: string, body?: unknown) =>
  call(settings, settings.gateway.adminToken, method, path, body);

export interface OutgoingMessage {
  credential_id: string;
  chat_id: string;
  text: string;
  reply_to_message_id?: string;
  extra_data?: Record<string, unknown>;
}

export const sendGatewayMessage = (settings: Settings, message: OutgoingMessage) =>
  call(settings, settings.gateway.sendToken, 'POST', '/api/v1/send', message);
