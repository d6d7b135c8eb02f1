/**
 * Who the end user behind an execution is, as a canonical id `<channel>:<id>` (spec §8.7, with the
 * reference's gaps fixed: gateway payloads are recognised, and chat/manual runs use the platform user
 * who started them). Anonymous senders (a webhook with no user id or email) are not an end user: memory
 * about them would be shared by every anonymous caller.
 */
export interface EndUser {
  canonicalId: string;
  channel: string;
  channelId: string;
  displayName: string | null;
  telegramId: string | null;
  telegramUsername: string | null;
  email: string | null;
}

export interface EndUserSource {
  /** The trigger payload (or a `trigger_input` found upstream). */
  payload: Record<string, unknown>;
  /** `component_type` of the trigger node that fired (trigger_chat, trigger_webhook…), if known. */
  triggerType?: string | null;
  /** The platform user who started the execution. */
  platformUserId?: number | null;
  /** Force a channel (identify_user's `channel` config). */
  channel?: string;
}

const rec = (v: unknown): Record<string, unknown> | null =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
const str = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v).trim() : '');

function make(channel: string, id: string, extra: Partial<EndUser> = {}): EndUser {
  return {
    canonicalId: `${channel}:${id}`,
    channel,
    channelId: id,
    displayName: null,
    telegramId: null,
    telegramUsername: null,
    email: null,
    ...extra,
  };
}

/** Which channel a payload came from: explicit markers first, then the trigger type. */
export function inferChannel(src: EndUserSource): string {
  if (src.channel) return src.channel;
  const p = src.payload;
  if (rec(rec(p.message)?.from)) return 'telegram';
  if ('credential_id' in p && 'chat_id' in p && 'message_id' in p) return 'gateway';
  if (rec(p.headers) && 'query' in p) return 'webhook';
  if (p.webhook_id !== undefined) return 'webhook';
  const byTrigger: Record<string, string> = {
    trigger_chat: 'chat',
    trigger_manual: 'manual',
    trigger_webhook: 'webhook',
    trigger_telegram: 'gateway',
    trigger_schedule: 'schedule',
  };
  if (src.triggerType && byTrigger[src.triggerType]) return byTrigger[src.triggerType];
  if (p.source === 'chat' || p.source === 'manual') return String(p.source);
  return 'unknown';
}

/** The end user of a payload, or null when nobody identifiable sent it. */
export function resolveEndUser(src: EndUserSource): EndUser | null {
  const p = src.payload;
  const channel = inferChannel(src);
  switch (channel) {
    case 'telegram': {
      const from = rec(rec(p.message)?.from) ?? {};
      const id = str(from.id);
      if (!id) return null;
      const name = [str(from.first_name), str(from.last_name)].filter(Boolean).join(' ');
      return make('telegram', id, {
        displayName: name || str(from.username) || null,
        telegramId: id,
        telegramUsername: str(from.username) || null,
      });
    }
    case 'gateway': {
      const id = str(p.user_id);
      return id ? make('gateway', id) : null;
    }
    case 'webhook': {
      const body = rec(p.payload) ?? p;
      const id = str(body.user_id) || str(p.user_id);
      const email = (str(body.email) || str(p.email)).toLowerCase();
      if (id) return make('webhook', id, { email: email || null });
      if (email) return make('webhook', email, { email });
      return null;
    }
    case 'chat':
    case 'manual': {
      const id = src.platformUserId ?? (str(p.user_id) || null);
      return id === null || id === '' ? null : make(channel, String(id));
    }
    case 'schedule':
      return null;
    default: {
      const id = str(p.user_id);
      return id ? make(channel, id) : null;
    }
  }
}
