/**
 * A small WebSocket test client over the `ws` package (which ships no types): collects every JSON
 * frame, answers pings unless told not to, and reports how the socket closed.
 */
import { createRequire } from 'node:module';

interface RawSocket {
  on(event: 'message', cb: (data: Buffer) => void): void;
  on(event: 'close', cb: (code: number, reason: Buffer) => void): void;
  on(event: 'open' | 'error', cb: (err?: Error) => void): void;
  send(text: string): void;
  close(): void;
  terminate(): void;
  readonly protocol: string;
}
type WsCtor = new (
  url: string,
  protocols?: string | string[],
  options?: { headers?: Record<string, string> },
) => RawSocket;
const WebSocket = createRequire(import.meta.url)('ws') as WsCtor;

export interface TestSocket {
  messages: Array<Record<string, unknown>>;
  closed: Promise<{ code: number; reason: string }>;
  opened: Promise<void>;
  protocol: () => string;
  send(message: unknown): void;
  raw(text: string): void;
  close(): void;
  /** Waits for the first message matching `match` (checks earlier ones too). */
  waitFor(
    match: (m: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  /** Sends `subscribe` and waits for `subscribed` (or an error frame). */
  subscribe(channel: string): Promise<Record<string, unknown>>;
}

export function connectWs(
  url: string,
  opts: { protocols?: string[]; answerPings?: boolean; headers?: Record<string, string> } = {},
): TestSocket {
  const ws = new WebSocket(url, opts.protocols, opts.headers ? { headers: opts.headers } : undefined);
  const messages: Array<Record<string, unknown>> = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data: Buffer) => {
    try {
      const m = JSON.parse(data.toString()) as Record<string, unknown>;
      messages.push(m);
      if (m.type === 'ping' && opts.answerPings !== false) ws.send(JSON.stringify({ type: 'pong' }));
    } catch {}
    for (const w of waiters) w();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })),
  );
  const opened = new Promise<void>((resolve, reject) => {
    ws.on('open', () => resolve());
    ws.on('error', (err) => reject(err));
  });
  opened.catch(() => {});
  const api: TestSocket = {
    messages,
    closed,
    opened,
    protocol: () => ws.protocol,
    send: (m) => ws.send(JSON.stringify(m)),
    raw: (text) => ws.send(text),
    close: () => ws.close(),
    waitFor(match, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.find(match);
          if (found) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(found);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `no matching frame within ${timeoutMs} ms; got ${JSON.stringify(messages).slice(0, 500)}`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async subscribe(channel) {
      await opened;
      ws.send(JSON.stringify({ type: 'subscribe', channel }));
      return api.waitFor((m) => m.channel === channel && (m.type === 'subscribed' || m.type === 'error'));
    },
  };
  return api;
}
