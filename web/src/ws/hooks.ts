/** React bindings for the socket: channel subscription, event listener and connection state. */
import { useEffect, useRef, useSyncExternalStore } from 'react';
import { socket, type WsListener, type WsState } from './socket';

/** Subscribes to `channel` while the component is mounted (nothing when `channel` is empty). */
export function useSubscription(channel: string | null): void {
  useEffect(() => {
    if (!channel) return;
    return socket.subscribe(channel);
  }, [channel]);
}

/** Subscribes to every channel of a list (a stable key of the list decides when to resubscribe). */
export function useSubscriptions(channels: string[]): void {
  const key = [...channels].sort().join('\n');
  useEffect(() => {
    if (!key) return;
    const offs = key.split('\n').map((c) => socket.subscribe(c));
    return () => {
      for (const off of offs) off();
    };
  }, [key]);
}

/** Calls `listener` (latest version) for every message from the server. */
export function useSocketEvents(listener: WsListener): void {
  const ref = useRef(listener);
  ref.current = listener;
  useEffect(() => socket.addListener((m) => ref.current(m)), []);
}

export function useSocketState(): WsState {
  return useSyncExternalStore(
    (cb) => socket.onState(cb),
    () => socket.state,
  );
}
