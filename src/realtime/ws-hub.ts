/**
 * Fan-out from the event bus to WebSocket clients of this process: one bus subscription per channel,
 * shared by every socket watching it (not one Redis connection per socket). Each message is
 * serialised once and sent verbatim to every watcher.
 */
import type { EventBus } from './event-bus.js';

export interface HubClient {
  /** Sends one text frame (the client decides what to do with a slow or closed socket). */
  send(text: string): void;
}

interface ChannelEntry {
  clients: Set<HubClient>;
  /** Resolves to the bus unsubscribe function once the bus subscription is live. */
  ready: Promise<() => Promise<void>>;
}

export class ChannelHub {
  private readonly channels = new Map<string, ChannelEntry>();

  constructor(private readonly bus: EventBus) {}

  /** Adds `client` to `channel` (idempotent); resolves when events of the channel will arrive. */
  async join(channel: string, client: HubClient): Promise<void> {
    let entry = this.channels.get(channel);
    if (!entry) {
      const clients = new Set<HubClient>();
      const ready = this.bus.subscribe(channel, (_c, message) => {
        if (!clients.size) return;
        const text = JSON.stringify(message);
        for (const c of clients) c.send(text);
      });
      entry = { clients, ready };
      this.channels.set(channel, entry);
      ready.catch(() => {
        if (this.channels.get(channel) === entry) this.channels.delete(channel);
      });
    }
    entry.clients.add(client);
    await entry.ready;
  }

  /** Removes `client` from `channel`; the bus subscription ends with the last watcher. */
  async leave(channel: string, client: HubClient): Promise<void> {
    const entry = this.channels.get(channel);
    if (!entry) return;
    entry.clients.delete(client);
    if (entry.clients.size) return;
    this.channels.delete(channel);
    const unsubscribe = await entry.ready.catch(() => undefined);
    await unsubscribe?.().catch(() => {});
  }

  async leaveAll(channels: Iterable<string>, client: HubClient): Promise<void> {
    await Promise.all([...channels].map((c) => this.leave(c, client)));
  }

  /** Channels with at least one watcher (for tests and health). */
  channelCount(): number {
    return this.channels.size;
  }

  async close(): Promise<void> {
    const entries = [...this.channels.values()];
    this.channels.clear();
    await Promise.all(entries.map(async (e) => (await e.ready.catch(() => undefined))?.().catch(() => {})));
  }
}
