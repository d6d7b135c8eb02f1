/**
 * The one WebSocket to `/ws/`. The browser sends the session cookie with the upgrade (the key never
 * appears in the URL or in page scripts). Keeps the set of subscribed channels and re-sends them on
 * every (re)open, answers `ping` with `pong`, reconnects with exponential backoff (1 s doubling to
 * 30 s, reset on open) and forces a reconnect after 45 s without any inbound frame. When the endpoint
 * does not exist yet the socket just keeps retrying quietly; pages work from REST alone.
 */
import { isSignedIn } from '../auth/session';

/** Any server frame: `{type, channel?, execution_id?, timestamp?, data?}`. */
export interface WsMessage {
  type: string;
  channel?: string;
  execution_id?: string;
  timestamp?: number | string;
  data?: Record<string, unknown>;
}

export type WsListener = (message: WsMessage) => void;
export type WsState = 'idle' | 'connecting' | 'open' | 'closed';

const MAX_BACKOFF_MS = 30_000;
const INACTIVITY_MS = 45_000;

class SocketManager {
  private socket: WebSocket | null = null;
  private readonly channels = new Map<string, number>();
  private readonly listeners = new Set<WsListener>();
  private readonly stateListeners = new Set<(s: WsState) => void>();
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private wanted = false;
  state: WsState = 'idle';

  /** Opens the socket (idempotent). Called when the authenticated layout mounts. */
  connect(): void {
    this.wanted = true;
    if (this.socket || this.retryTimer) return;
    if (!isSignedIn()) return;
    const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
    this.setState('connecting');
    let socket: WebSocket;
    try {
      socket = new WebSocket(`${scheme}//${window.location.host}/ws/`);
    } catch {
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      this.attempt = 0;
      this.setState('open');
      this.touch();
      for (const channel of this.channels.keys()) this.send({ type: 'subscribe', channel });
    };
    socket.onmessage = (event) => {
      this.touch();
      let message: WsMessage;
      try {
        message = JSON.parse(String(event.data)) as WsMessage;
      } catch {
        return;
      }
      if (!message || typeof message.type !== 'string') return;
      if (message.type === 'ping') {
        this.send({ type: 'pong' });
        return;
      }
      if (message.type === 'subscribed' || message.type === 'unsubscribed') return;
      for (const listener of this.listeners) listener(message);
    };
    socket.onclose = () => {
      this.socket = null;
      clearTimeout(this.idleTimer);
      this.setState('closed');
      if (this.wanted) this.scheduleRetry();
    };
  }

  /** Closes for good (logout). */
  disconnect(): void {
    this.wanted = false;
    clearTimeout(this.retryTimer);
    clearTimeout(this.idleTimer);
    this.retryTimer = undefined;
    this.socket?.close();
    this.socket = null;
    this.channels.clear();
    this.setState('idle');
  }

  /** Subscribes to a channel; returns the unsubscribe function. Reference-counted per channel. */
  subscribe(channel: string): () => void {
    const count = this.channels.get(channel) ?? 0;
    this.channels.set(channel, count + 1);
    if (count === 0) this.send({ type: 'subscribe', channel });
    return () => {
      const left = (this.channels.get(channel) ?? 1) - 1;
      if (left > 0) {
        this.channels.set(channel, left);
        return;
      }
      this.channels.delete(channel);
      this.send({ type: 'unsubscribe', channel });
    };
  }

  addListener(listener: WsListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onState(listener: (s: WsState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  private send(message: Record<string, unknown>): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  private scheduleRetry(): void {
    const delay = Math.min(1000 * 2 ** this.attempt, MAX_BACKOFF_MS);
    this.attempt += 1;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.wanted) this.connect();
    }, delay);
  }

  private touch(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.socket?.close(), INACTIVITY_MS);
  }

  private setState(state: WsState): void {
    this.state = state;
    for (const listener of this.stateListeners) listener(state);
  }
}

export const socket = new SocketManager();
