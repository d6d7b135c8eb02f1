import { describe, expect, it } from 'vitest';
import { jobQueueContract } from './job-queue.contract.js';
import { LocalQueue } from './local-queue.js';

jobQueueContract('LocalQueue', async () => new LocalQueue());

describe('LocalQueue.reserve', () => {
  it('promises a slot, counts it against the concurrency, and runs the job in it at once', async () => {
    const queue = new LocalQueue();
    const started: string[] = [];
    const release: Array<() => void> = [];
    queue.consume(
      async ({ executionId }) => {
        started.push(executionId);
        await new Promise<void>((resolve) => release.push(resolve));
      },
      { concurrency: 2 },
    );
    const first = queue.reserve();
    const second = queue.reserve();
    expect(first).toBeTypeOf('function');
    expect(second).toBeTypeOf('function');
    expect(queue.reserve()).toBeUndefined();

    // A queued job waits: both slots are promised.
    await queue.enqueue({ executionId: 'queued' });
    expect(started).toEqual([]);

    first!({ executionId: 'reserved' });
    expect(started).toEqual(['reserved']);
    // A reservation handed back frees its slot for the queued job.
    second!(null);
    expect(started).toEqual(['reserved', 'queued']);

    for (const r of release.splice(0)) r();
    await queue.close();
  });

  it('refuses when every slot is running, and before anything consumes', async () => {
    const idle = new LocalQueue();
    expect(idle.reserve()).toBeUndefined();
    const queue = new LocalQueue();
    let finish!: () => void;
    queue.consume(() => new Promise<void>((resolve) => (finish = resolve)), { concurrency: 1 });
    await queue.enqueue({ executionId: 'busy' });
    expect(queue.reserve()).toBeUndefined();
    finish();
    await queue.close();
    expect(queue.reserve()).toBeUndefined();
  });
});
