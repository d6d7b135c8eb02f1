/**
 * The behaviour every EventBus implementation must show, as a reusable vitest suite. Each test uses
 * its own random channel prefix, so suites can share one Redis.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventBus } from './event-bus.js';

/**
 * Makes a bus. `peerOf` asks for "another process" attached to the same deployment as that bus:
 * a Redis bus opens new connections; the local bus returns the same instance (one process).
 */
export type MakeBus = (peerOf?: EventBus) => Promise<EventBus>;

type Received = Array<{ channel: string; message: Record<string, unknown> }>;

// Generous: under a full parallel test run Redis pub/sub delivery has been seen to take over 3 s.
async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function eventBusContract(name: string, makeBus: MakeBus, skipReason?: () => string): void {
  describe(`EventBus contract: ${name}`, () => {
    const opened = new Set<EventBus>();
    let prefix = '';
    const channel = (suffix: string) => `${prefix}:${suffix}`;
    const open = async (peerOf?: EventBus) => {
      const bus = await makeBus(peerOf);
      opened.add(bus);
      return bus;
    };
    const collect = (into: Received) => (c: string, m: Record<string, unknown>) => {
      into.push({ channel: c, message: m });
    };

    afterEach(async () => {
      for (const bus of opened) await bus.close();
      opened.clear();
    });

    const test = (title: string, body: () => Promise<void>) =>
      it(title, async (ctx) => {
        const reason = skipReason?.();
        if (reason) {
          console.log(`[${name}] skipped: ${reason}`);
          ctx.skip();
        }
        prefix = `test-${randomBytes(6).toString('hex')}`;
        await body();
      });

    test('delivers a message to every subscriber of the channel, as JSON-equal data', async () => {
      const bus = await open();
      const a: Received = [];
      const b: Received = [];
      await bus.subscribe(channel('x'), collect(a));
      await bus.subscribe(channel('x'), collect(b));
      const message = { type: 'node_status', data: { n: 1, list: ['a', null], nested: { ok: true } } };
      await bus.publish(channel('x'), message);
      await until(() => a.length === 1 && b.length === 1, 'both subscribers');
      expect(a[0]).toEqual({ channel: channel('x'), message });
      expect(b[0]).toEqual({ channel: channel('x'), message });
    });

    test('does not deliver to subscribers of other channels', async () => {
      const bus = await open();
      const onX: Received = [];
      const onY: Received = [];
      await bus.subscribe(channel('x'), collect(onX));
      await bus.subscribe(channel('y'), collect(onY));
      await bus.publish(channel('x'), { n: 1 });
      await bus.publish(channel('y'), { n: 2 });
      await until(() => onX.length === 1 && onY.length === 1, 'one message per channel');
      await new Promise((r) => setTimeout(r, 50));
      expect(onX.map((r) => r.message)).toEqual([{ n: 1 }]);
      expect(onY.map((r) => r.message)).toEqual([{ n: 2 }]);
    });

    test('unsubscribe stops delivery to that subscriber only', async () => {
      const bus = await open();
      const gone: Received = [];
      const kept: Received = [];
      const unsubscribe = await bus.subscribe(channel('x'), collect(gone));
      await bus.subscribe(channel('x'), collect(kept));
      await bus.publish(channel('x'), { n: 1 });
      await until(() => gone.length === 1 && kept.length === 1, 'first message');
      await unsubscribe();
      await bus.publish(channel('x'), { n: 2 });
      await until(() => kept.length === 2, 'second message');
      await new Promise((r) => setTimeout(r, 50));
      expect(gone.map((r) => r.message)).toEqual([{ n: 1 }]);
      expect(kept.map((r) => r.message)).toEqual([{ n: 1 }, { n: 2 }]);
    });

    test('the last unsubscribe of a channel stops all delivery on it', async () => {
      const bus = await open();
      const got: Received = [];
      const marker: Received = [];
      const unsubscribe = await bus.subscribe(channel('x'), collect(got));
      await bus.subscribe(channel('marker'), collect(marker));
      await unsubscribe();
      await bus.publish(channel('x'), { n: 1 });
      await bus.publish(channel('marker'), { done: true });
      await until(() => marker.length === 1, 'marker');
      await new Promise((r) => setTimeout(r, 50));
      expect(got).toEqual([]);
    });

    test('several buses of one deployment (processes) see each other’s messages', async () => {
      const first = await open();
      const second = await open(first);
      const third = await open(first);
      const atFirst: Received = [];
      const atSecond: Received = [];
      await first.subscribe(channel('x'), collect(atFirst));
      await second.subscribe(channel('x'), collect(atSecond));
      await third.publish(channel('x'), { from: 'third' });
      await first.publish(channel('x'), { from: 'first' });
      await until(() => atFirst.length === 2 && atSecond.length === 2, 'messages at both buses');
      expect(atFirst.map((r) => r.message)).toEqual([{ from: 'third' }, { from: 'first' }]);
      expect(atSecond.map((r) => r.message)).toEqual([{ from: 'third' }, { from: 'first' }]);
    });

    test('a throwing subscriber does not stop delivery to the others', async () => {
      const bus = await open();
      const got: Received = [];
      await bus.subscribe(channel('x'), () => {
        throw new Error('subscriber bug');
      });
      await bus.subscribe(channel('x'), collect(got));
      await bus.publish(channel('x'), { n: 1 });
      await until(() => got.length === 1, 'delivery past a throwing subscriber');
      expect(got[0].message).toEqual({ n: 1 });
    });
  });
}
