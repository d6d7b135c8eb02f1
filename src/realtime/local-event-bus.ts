import type { EventBus, EventHandler } from './event-bus.js';

/** In-process event bus for embedded mode. Handlers run on a microtask, never inside `publish`. */
export class LocalEventBus implements EventBus {
  private readonly channels = new Map<string, Set<EventHandler>>();

  async publish(channel: string, message: Record<string, unknown>): Promise<void> {
    const handlers = this.channels.get(channel);
    if (!handlers?.size) return;
    for (const handler of [...handlers]) {
      queueMicrotask(() => {
        try {
          handler(channel, message);
        } catch {
          // A failing subscriber must not affect the publisher or other subscribers.
        }
      });
    }
  }

  async subscribe(channel: string, handler: EventHandler): Promise<() => Promise<void>> {
    let set = this.channels.get(channel);
    if (!set) {
      set = new Set();
      this.channels.set(channel, set);
    }
    // Wrap so the same function can be subscribed twice and removed independently.
    const entry: EventHandler = (c, m) => handler(c, m);
    set.add(entry);
    return async () => {
      set.delete(entry);
      if (set.size === 0) this.channels.delete(channel);
    };
  }

  async close(): Promise<void> {
    this.channels.clear();
  }
}
