/**
 * The event bus: a narrow publish/subscribe interface with two implementations — in-process
 * (`local-event-bus.ts`, embedded mode) and Redis pub/sub (distributed mode). Channels are
 * `workflow:<slug>` and `execution:<execution_id>`; messages are the JSON envelopes the WebSocket
 * forwards verbatim (see `events.ts`).
 */
export type EventHandler = (channel: string, message: Record<string, unknown>) => void;

export interface EventBus {
  /** Delivers `message` to every subscriber of `channel`, in every process of the deployment. */
  publish(channel: string, message: Record<string, unknown>): Promise<void>;
  /** Subscribes to one channel; returns a function that removes this subscription. */
  subscribe(channel: string, handler: EventHandler): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
