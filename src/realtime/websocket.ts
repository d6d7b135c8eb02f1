/**
 * The live socket `GET /ws/` (spec §6.1), with the reference's protocol:
 * - auth by API key, from `?token=<key>` (what the reference client sends) or, to keep keys out of
 *   URLs and logs, from the `Sec-WebSocket-Protocol` header: offer `pipelit.token.<key>` (plus,
 *   optionally, `pipelit`). The server selects `pipelit` when offered, otherwise echoes the token
 *   protocol (browsers need one offered protocol back); or, from the web app, its session cookie when
 *   the page's Origin is this Host (src/auth/session-cookie.ts). A bad or missing key → close 1008
 *   "Invalid or missing token".
 * - `{"type":"subscribe","channel"}` → `{"type":"subscribed","channel"}`; `unsubscribe` →
 *   `unsubscribed`. A channel the user may not read (spec §16.28 fix) →
 *   `{"type":"error","channel","detail"}` and no subscription.
 * - heartbeat: after `pingAfterMs` (30 s) with no frame sent or received the server sends
 *   `{"type":"ping"}`; no `{"type":"pong"}` within `pongTimeoutMs` (10 s) → close 1001 "Ping timeout".
 * - malformed frames are ignored; every bus message on a subscribed channel is forwarded verbatim.
 */

import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import { sessionKeyOfUpgrade } from '../auth/session-cookie.js';
import { type AuthUser, verifyApiKey } from '../auth/verify-api-key.js';
import { mayWatchChannel } from './channel-access.js';
import { ChannelHub, type HubClient } from './ws-hub.js';

export interface WebsocketOptions {
  pingAfterMs?: number;
  pongTimeoutMs?: number;
  /** Heartbeat check period (default 1 s). */
  tickMs?: number;
  /** Close a client that lets this much unsent data pile up (default 16 MiB). */
  maxBufferedBytes?: number;
  /** Re-check each socket's API key this often, so a revoked key or deleted user loses it (default 60 s). */
  recheckKeyMs?: number;
}

/** The part of a `ws` socket used here (the `ws` package ships no type declarations). */
interface WebSocket {
  readonly readyState: number;
  readonly OPEN: number;
  readonly bufferedAmount: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): void;
  on(event: 'close' | 'error', listener: () => void): void;
}

export const TOKEN_PROTOCOL_PREFIX = 'pipelit.token.';
export const PLAIN_PROTOCOL = 'pipelit';
const MAX_SUBSCRIPTIONS = 200;

declare module 'fastify' {
  interface FastifyInstance {
    /** The WebSocket fan-out of this process (tests inspect it). */
    wsHub: ChannelHub;
  }
}

/** The API key from the offered subprotocols, if any. */
export function tokenFromProtocols(header: string | string[] | undefined): string | undefined {
  const text = Array.isArray(header) ? header.join(',') : (header ?? '');
  for (const p of text.split(',')) {
    const v = p.trim();
    if (v.startsWith(TOKEN_PROTOCOL_PREFIX) && v.length > TOKEN_PROTOCOL_PREFIX.length) {
      return v.slice(TOKEN_PROTOCOL_PREFIX.length);
    }
  }
  return undefined;
}

class SocketClient implements HubClient {
  lastActivity = Date.now();
  pingSentAt = 0;
  keyCheckedAt = Date.now();
  token: string | undefined;
  readonly channels = new Set<string>();

  constructor(
    readonly socket: WebSocket,
    private readonly maxBuffered: number,
  ) {}

  send(text: string): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    if (this.socket.bufferedAmount > this.maxBuffered) {
      this.socket.close(1013, 'Client too slow');
      return;
    }
    this.lastActivity = Date.now();
    this.socket.send(text);
  }

  sendJson(message: Record<string, unknown>): void {
    this.send(JSON.stringify(message));
  }
}

export async function websocketRoutes(app: FastifyInstance, opts: WebsocketOptions = {}): Promise<void> {
  const pingAfter = opts.pingAfterMs ?? 30_000;
  const pongTimeout = opts.pongTimeoutMs ?? 10_000;
  const hub = new ChannelHub(app.services.bus);
  const clients = new Set<SocketClient>();
  app.decorate('wsHub', hub);

  await app.register(websocket, {
    options: {
      maxPayload: 64 * 1024,
      handleProtocols: (protocols: Set<string>) => {
        if (protocols.has(PLAIN_PROTOCOL)) return PLAIN_PROTOCOL;
        for (const p of protocols) if (p.startsWith(TOKEN_PROTOCOL_PREFIX)) return p;
        return false;
      },
    },
  });

  const recheckKey = opts.recheckKeyMs ?? 60_000;
  const ticker = setInterval(
    () => {
      const now = Date.now();
      for (const c of clients) {
        if (now - c.keyCheckedAt >= recheckKey) {
          c.keyCheckedAt = now;
          verifyApiKey(app.services.database.db, c.token).catch(() =>
            c.socket.close(1008, 'Invalid or missing token'),
          );
        }
        if (c.pingSentAt) {
          if (now - c.pingSentAt >= pongTimeout) c.socket.close(1001, 'Ping timeout');
        } else if (now - c.lastActivity >= pingAfter) {
          c.pingSentAt = now;
          c.sendJson({ type: 'ping' });
        }
      }
    },
    opts.tickMs ?? Math.min(1000, Math.max(20, Math.floor(Math.min(pingAfter, pongTimeout) / 4))),
  );
  ticker.unref();
  app.addHook('onClose', async () => {
    clearInterval(ticker);
    await hub.close();
  });

  app.get('/ws/', { websocket: true }, (rawSocket, request) => {
    const socket = rawSocket as unknown as WebSocket;
    const client = new SocketClient(socket, opts.maxBufferedBytes ?? 16 * 1024 * 1024);
    let user: AuthUser | undefined;
    let closed = false;
    // Frames that arrive while the key is being checked are handled in order afterwards.
    let chain: Promise<void> = Promise.resolve();

    const handle = async (raw: string) => {
      if (!user || closed) return;
      let msg: unknown;
      try {
        msg = JSON.parse(raw);
      } catch {
        return; // malformed frames are ignored
      }
      if (!msg || typeof msg !== 'object' || Array.isArray(msg)) return;
      const { type, channel } = msg as { type?: unknown; channel?: unknown };
      if (type === 'pong') {
        client.pingSentAt = 0;
        return;
      }
      if (type !== 'subscribe' && type !== 'unsubscribe') return;
      if (typeof channel !== 'string' || !channel) return;
      if (type === 'unsubscribe') {
        if (client.channels.delete(channel)) await hub.leave(channel, client);
        client.sendJson({ type: 'unsubscribed', channel });
        return;
      }
      if (!client.channels.has(channel)) {
        if (client.channels.size >= MAX_SUBSCRIPTIONS) {
          client.sendJson({ type: 'error', channel, detail: 'Too many subscriptions on this socket.' });
          return;
        }
        const access = await mayWatchChannel(app.services.database.db, user, channel);
        if (!access.ok) {
          client.sendJson({ type: 'error', channel, detail: access.detail });
          return;
        }
        if (closed) return;
        client.channels.add(channel);
        await hub.join(channel, client);
      }
      client.sendJson({ type: 'subscribed', channel });
    };

    socket.on('message', (data, isBinary) => {
      client.lastActivity = Date.now();
      if (isBinary) return;
      const raw = data.toString();
      if (!raw.trim()) return;
      chain = chain
        .then(() => handle(raw))
        .catch((err) => request.log.warn({ err }, 'websocket frame failed'));
    });
    socket.on('close', () => {
      closed = true;
      clients.delete(client);
      void hub.leaveAll(client.channels, client);
      client.channels.clear();
    });
    socket.on('error', () => {});

    const query = request.query as Record<string, unknown> | undefined;
    const token =
      typeof query?.token === 'string' && query.token
        ? query.token
        : (tokenFromProtocols(request.headers['sec-websocket-protocol']) ?? sessionKeyOfUpgrade(request));
    client.token = token;
    const auth = verifyApiKey(app.services.database.db, token).then(
      (u) => {
        user = u;
        if (!closed) clients.add(client);
      },
      () => {
        closed = true;
        socket.close(1008, 'Invalid or missing token');
      },
    );
    chain = auth;
  });
}

// Registered at the root (not encapsulated) so `app.wsHub` is visible to the whole app.
(websocketRoutes as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;
