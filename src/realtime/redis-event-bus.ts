/**
 * Redis pub/sub event bus for distributed mode: every process of every machine that shares the Redis
 * sees every message. One publisher connection and one subscriber connection per bus; the subscriber
 * multiplexes all channels this process listens to. ioredis reconnects by itself and re-subscribes
 * the channels it had (autoResubscribe), so a Redis restart only loses messages sent while it was down.
 * Messages travel as JSON text.
 */
import { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import type { EventBus, EventHandler } from './event-bus.js';

export interface RedisEventBusOptions {
  /** Where connection problems are reported (at most one line per connection per outage). */
  log?: Logger;
}

export class RedisEventBus implements EventBus {
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly channels = new Map<string, Set<EventHandler>>();
  /** Subscribe/unsubscribe commands run one after another so their order matches the caller's. */
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(url: string, opts: RedisEventBusOptions = {}) {
    const connection = { maxRetriesPerRequest: null, enableAutoPipelining: false } as const;
    this.publisher = new Redis(url, { ...connection, connectionName: 'pipelit-bus-pub' });
    this.subscriber = new Redis(url, { ...connection, connectionName: 'pipelit-bus-sub' });
    for (const [name, client] of [
      ['publisher', this.publisher],
      ['subscriber', this.subscriber],
    ] as const) {
      let reported = false;
      client.on('error', (err: Error) => {
        if (reported || this.closed) return;
        reported = true;
        opts.log?.warn({ connection: name, err: err.message }, 'event bus: Redis connection problem');
      });
      client.on('ready', () => {
        reported = false;
      });
    }
    this.subscriber.on('message', (channel: string, text: string) => this.dispatch(channel, text));
  }

  private dispatch(channel: string, text: string): void {
    const handlers = this.channels.get(channel);
    if (!handlers?.size) return;
    let message: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(text);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return;
      message = parsed as Record<string, unknown>;
    } catch {
      return; // Not ours: someone else published non-JSON on this channel.
    }
    for (const handler of [...handlers]) {
      try {
        handler(channel, message);
      } catch {
        // A failing subscriber must not affect the others.
      }
    }
  }

  private serial<T>(job: () => Promise<T>): Promise<T> {
    const next = this.queue.then(job, job);
    this.queue = next.catch(() => {});
    return next;
  }

  async publish(channel: string, message: Record<string, unknown>): Promise<void> {
    await this.publisher.publish(channel, JSON.stringify(message));
  }

  async subscribe(channel: string, handler: EventHandler): Promise<() => Promise<void>> {
    // Wrap so the same function can be subscribed twice and removed independently.
    const entry: EventHandler = (c, m) => handler(c, m);
    await this.serial(async () => {
      let set = this.channels.get(channel);
      if (!set) {
        set = new Set();
        this.channels.set(channel, set);
      }
      set.add(entry);
      if (set.size === 1) await this.subscriber.subscribe(channel);
    });
    let removed = false;
    return async () => {
      if (removed) return;
      removed = true;
      await this.serial(async () => {
        const set = this.channels.get(channel);
        if (!set) return;
        set.delete(entry);
        if (set.size === 0) {
          this.channels.delete(channel);
          if (!this.closed) await this.subscriber.unsubscribe(channel);
        }
      });
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.channels.clear();
    await Promise.allSettled([this.subscriber.quit(), this.publisher.quit()]);
    this.subscriber.disconnect();
    this.publisher.disconnect();
  }
}
