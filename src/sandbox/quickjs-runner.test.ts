import type { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CodeExecutionError,
  closeJavaScriptSandbox,
  configureJavaScriptSandbox,
  DEFAULT_POOL_SIZE,
  runJavaScript,
  startSandboxThread,
} from './quickjs-runner.js';

afterAll(async () => {
  await closeJavaScriptSandbox();
});

async function failure(promise: Promise<unknown>): Promise<CodeExecutionError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(CodeExecutionError);
    return error as CodeExecutionError;
  }
  throw new Error('expected the run to fail');
}

const input = {
  trigger: { text: 'hi' },
  node_outputs: { gen: { items: [1, 2, 3] } },
  loop: { item: 'x', index: 0, total: 1 },
};

describe('runJavaScript', () => {
  it('runs a function body and returns structured JSON', async () => {
    expect(await runJavaScript('return input.x + 1', { x: 41 })).toEqual({ result: 42, logs: [] });
    const out = await runJavaScript(
      'return { items: node_outputs.gen.items.map((n) => n * 2), text: trigger.text.toUpperCase(), item: loop.item }',
      input,
    );
    expect(out.result).toEqual({ items: [2, 4, 6], text: 'HI', item: 'x' });
    expect((await runJavaScript('return [1, "a", null, true]', {})).result).toEqual([1, 'a', null, true]);
  });

  it('returns null for undefined and captures console output', async () => {
    const out = await runJavaScript(
      'console.log("a", 1, { b: [2] }); console.error("e"); console.log(undefined)',
      {},
    );
    expect(out).toEqual({ result: null, logs: ['a 1 {"b":[2]}', 'e', 'undefined'] });
  });

  it('bounds the logs', async () => {
    const out = await runJavaScript(
      'for (let i = 0; i < 100000; i++) console.log("line " + i); return 1',
      {},
      {
        maxOutputBytes: 1000,
      },
    );
    expect(out.result).toBe(1);
    expect(out.logs.at(-1)).toBe('[further logs truncated]');
    expect(out.logs.join('\n').length).toBeLessThan(1200);
  });

  it('reports runtime errors with message and line', async () => {
    const error = await failure(runJavaScript('const a = 1;\nnull.foo;', {}));
    expect(error.kind).toBe('runtime');
    expect(error.message).toMatch(/TypeError: .*null.*\(line 2\)/);
    const syntax = await failure(runJavaScript('return (', {}));
    expect(syntax.kind).toBe('runtime');
    expect(syntax.message).toMatch(/SyntaxError/);
    const thrown = await failure(runJavaScript('console.log("before"); throw new Error("boom")', {}));
    expect(thrown.message).toContain('boom');
    expect(thrown.logs).toEqual(['before']);
  });

  it('refuses results that are not JSON or too large', async () => {
    expect((await failure(runJavaScript('return () => 1', {}))).kind).toBe('not_serialisable');
    expect((await failure(runJavaScript('const a = {}; a.a = a; return a', {}))).kind).toBe(
      'not_serialisable',
    );
    expect((await failure(runJavaScript('return 10n', {}))).kind).toBe('not_serialisable');
    expect((await failure(runJavaScript('return Promise.resolve(1)', {}))).kind).toBe('not_serialisable');
    const big = await failure(runJavaScript('return "x".repeat(2000)', {}, { maxOutputBytes: 1000 }));
    expect(big.kind).toBe('output_too_large');
    const circularInput: Record<string, unknown> = {};
    circularInput.self = circularInput;
    expect((await failure(runJavaScript('return 1', circularInput))).kind).toBe('not_serialisable');
  });

  it('times out endless loops', async () => {
    const started = Date.now();
    const error = await failure(runJavaScript('while (true) {}', {}, { timeoutMs: 200 }));
    expect(error.kind).toBe('timeout');
    expect(error.message).toContain('200 ms');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('stops a running script promptly when aborted, without blocking the event loop', async () => {
    const controller = new AbortController();
    const started = Date.now();
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 10);
    setTimeout(() => controller.abort(), 100);
    const error = await failure(
      runJavaScript('while (true) {}', {}, { signal: controller.signal, timeoutMs: 30_000 }),
    );
    clearInterval(ticker);
    expect(error.kind).toBe('aborted');
    expect(Date.now() - started).toBeLessThan(600);
    expect(ticks).toBeGreaterThan(3);
    expect((await failure(runJavaScript('return 1', {}, { signal: controller.signal }))).kind).toBe(
      'aborted',
    );
  });

  it('turns memory exhaustion and deep recursion into errors', async () => {
    const array = await failure(runJavaScript('return new Array(1e9).fill(0).length', {}));
    expect(['memory', 'runtime']).toContain(array.kind);
    const grow = await failure(
      runJavaScript('let s = "x"; while (true) s = s + s; ', {}, { memoryLimitBytes: 8e6 }),
    );
    expect(grow.kind).toBe('memory');
    const push = await failure(runJavaScript('const a = []; while (true) a.push({ n: a.length });', {}));
    expect(push.kind).toBe('memory');
    const recursion = await failure(runJavaScript('function f(n) { return f(n + 1) + 1 } return f(0)', {}));
    expect(recursion.kind).toBe('runtime');
    expect(recursion.message).toMatch(/stack overflow/i);
    // The pool still works afterwards.
    expect((await runJavaScript('return 7', {})).result).toBe(7);
  });

  it('bounds the total of many allocations that each fit under the limit', async () => {
    // Each buffer is below the limit; QuickJS alone would let them add up without bound.
    const many = await failure(
      runJavaScript(
        'const keep = []; for (let i = 0; i < 60; i++) keep.push(new ArrayBuffer(10 * 1024 * 1024)); return keep.length',
        {},
        { memoryLimitBytes: 16 * 1024 * 1024 },
      ),
    );
    expect(many.kind).toBe('memory');
    // Within the limit it still works, and the worker that hit the cap still answers.
    const fits = await runJavaScript(
      'const keep = []; for (let i = 0; i < 5; i++) keep.push(new ArrayBuffer(10 * 1024 * 1024)); return keep.length',
      {},
      { memoryLimitBytes: 128 * 1024 * 1024 },
    );
    expect(fits.result).toBe(5);
    expect((await runJavaScript('return 8', {})).result).toBe(8);
  });

  it('keeps runs isolated from each other', async () => {
    await runJavaScript('globalThis.leak = 1; Object.prototype.polluted = true; return 1', {});
    const out = await runJavaScript('return [typeof leak, ({}).polluted === undefined]', {});
    expect(out.result).toEqual(['undefined', true]);
  });

  it('runs concurrently', async () => {
    const runs = await Promise.all(
      Array.from({ length: 20 }, (_, i) => runJavaScript('return input.i * 2', { i })),
    );
    expect(runs.map((r) => r.result)).toEqual(Array.from({ length: 20 }, (_, i) => i * 2));
  });

  it('measures a trivial run', async () => {
    await runJavaScript('return 0', {});
    const count = 300;
    let started = performance.now();
    for (let i = 0; i < count; i++) await runJavaScript('return input.x + 1', { x: i });
    const sequential = (performance.now() - started) / count;
    started = performance.now();
    await Promise.all(Array.from({ length: count }, (_, i) => runJavaScript('return input.x + 1', { x: i })));
    const parallel = (performance.now() - started) / count;
    console.log(
      `quickjs trivial run: ${sequential.toFixed(3)} ms sequential, ${parallel.toFixed(3)} ms/run concurrent (${Math.round(1000 / parallel)} runs/s)`,
    );
    expect(sequential).toBeGreaterThan(0);
  });
});

describe('no host access', () => {
  const sentinel = 'pipelit-sandbox-sentinel';
  (globalThis as Record<string, unknown>).__pipelitSentinel = sentinel;

  it.each([
    ["return this.constructor.constructor('return process')()", /process'? is not defined/],
    [
      "return (function(){ return this })().constructor.constructor('return require')()",
      /require'? is not defined/,
    ],
    ["return Function('return globalThis.process')()", null],
    ["return require('fs')", /require'? is not defined/],
    ['return process.env', /process'? is not defined/],
    ["return fetch('http://127.0.0.1')", /fetch'? is not defined/],
    ['return setTimeout(() => 1, 0)', /setTimeout'? is not defined/],
    ['return typeof import.meta', /SyntaxError|import/],
    ["return import('fs')", null],
    ['return globalThis.__pipelitSentinel', null],
  ])('%s', async (code, expected) => {
    try {
      const out = await runJavaScript(code, {});
      expect(expected).toBeNull();
      expect(JSON.stringify(out.result ?? null)).not.toMatch(/sentinel|NODE|PATH|versions/);
    } catch (error) {
      expect(error).toBeInstanceOf(CodeExecutionError);
      if (expected) expect((error as Error).message).toMatch(expected);
    }
  });

  it('shows nothing of the host when enumerating globals', async () => {
    const out = await runJavaScript('return Object.getOwnPropertyNames(globalThis)', {});
    const names = out.result as string[];
    for (const host of [
      'process',
      'require',
      'module',
      'Buffer',
      'fetch',
      'setTimeout',
      '__pipelitSentinel',
    ]) {
      expect(names).not.toContain(host);
    }
    expect(names).toContain('JSON');
  });

  it('cannot pollute the host prototypes and leaves the host intact', async () => {
    await runJavaScript(
      'Object.prototype.polluted = 1; ({}).__proto__.polluted2 = 2; input.__proto__.polluted3 = 3; Array.prototype.push = null; return 1',
      JSON.parse('{"__proto__": {"x": 1}}'),
    );
    const probe = {} as Record<string, unknown>;
    expect(probe.polluted).toBeUndefined();
    expect(probe.polluted2).toBeUndefined();
    expect(probe.polluted3).toBeUndefined();
    expect(typeof [].push).toBe('function');
    expect((globalThis as Record<string, unknown>).__pipelitSentinel).toBe(sentinel);
    expect(typeof process.exit).toBe('function');
  });
});

/** Code that keeps `n` pairs of objects referencing each other (4 allocations each) and returns `n`. */
function pairs(n: number): string {
  return `const keep = []; for (let i = 0; i < ${n}; i++) { const a = { i }; a.b = { a }; keep.push(a) } return keep.length`;
}

describe('runtime reuse in one worker', () => {
  beforeAll(async () => {
    // One worker, so consecutive runs share its QuickJS runtime.
    await closeJavaScriptSandbox();
    configureJavaScriptSandbox({ poolSize: 1 });
  });
  afterAll(async () => {
    await closeJavaScriptSandbox();
    configureJavaScriptSandbox({ poolSize: DEFAULT_POOL_SIZE });
  });

  it('leaks no globals or prototype changes into the next run', async () => {
    await runJavaScript(
      "globalThis.leak = 1; Object.prototype.polluted = 'x'; Array.prototype.push = null; return 1",
      {},
    );
    const out = await runJavaScript(
      'const a = []; a.push(1); return [typeof leak, ({}).polluted === undefined, a.length]',
      {},
    );
    expect(out.result).toEqual(['undefined', true, 1]);
  });

  it('never runs promise jobs a previous run left queued', async () => {
    await runJavaScript('Promise.resolve().then(() => { globalThis.x = 1 }); return 1', {});
    expect((await runJavaScript('return typeof x', {})).result).toBe('undefined');
    // Had the queued job run during the next run, it would never end.
    await runJavaScript('Promise.resolve().then(() => { while (true) {} }); return 1', {});
    expect((await runJavaScript('return 2', {}, { timeoutMs: 2000 })).result).toBe(2);
  });

  it("does not let garbage from an earlier run exhaust the next run's memory", async () => {
    const limits = { memoryLimitBytes: 4 * 1024 * 1024 };
    // Kept alive to the end, so the last GC sets its next threshold above the limit; the cycles
    // then outlive the run (refcounting cannot free them).
    expect((await runJavaScript(pairs(100_000), {}, limits)).result).toBe(100_000);
    expect((await runJavaScript(pairs(60_000), {}, limits)).result).toBe(60_000);
    expect((await runJavaScript(pairs(100_000), {}, limits)).result).toBe(100_000);
    expect((await runJavaScript(pairs(100_000), {}, limits)).result).toBe(100_000);
    // Even when the garbage alone exceeds the next run's whole limit.
    expect((await runJavaScript('return 1', {}, { memoryLimitBytes: 1024 * 1024 })).result).toBe(1);
  });

  it('keeps working over many runs, across runtime replacements', async () => {
    for (let i = 0; i < 500; i++) {
      const out = await runJavaScript(
        'globalThis.seen = (globalThis.seen ?? 0) + 1; const o = { i: input.i }; o.self = o; return [input.i * 2, seen]',
        { i },
      );
      expect(out.result).toEqual([i * 2, 1]);
    }
  });
});

/** Drives the worker body directly, to read the `runtimeJobs` field the runner ignores. */
describe('sandbox worker runtime lifecycle', () => {
  const replies: ((reply: Record<string, unknown>) => void)[] = [];
  let worker: Worker;
  const abortFlag = new Int32Array(new SharedArrayBuffer(4));

  beforeAll(() => {
    worker = startSandboxThread(abortFlag);
    worker.on('message', (reply) => replies.shift()?.(reply));
  });
  afterAll(async () => {
    await worker.terminate();
  });

  function run(code: string, limits: Record<string, number> = {}): Promise<Record<string, unknown>> {
    Atomics.store(abortFlag, 0, 0);
    return new Promise((resolve) => {
      replies.push(resolve);
      worker.postMessage({
        code,
        inputJson: '{}',
        timeoutMs: 5_000,
        memoryLimitBytes: 16 * 1024 * 1024,
        maxStackBytes: 512 * 1024,
        maxOutputBytes: 1024 * 1024,
        maxLogLines: 1_000,
        ...limits,
      });
    });
  }

  /** Runs trivial jobs until the next one starts a fresh runtime. */
  async function freshRuntime(): Promise<void> {
    for (let i = 0; i < 200; i++) if ((await run('return 0')).runtimeJobs === 100) return;
    throw new Error('the runtime was never replaced');
  }

  it('reuses a runtime for 100 jobs, then replaces it', async () => {
    await freshRuntime();
    const counts: unknown[] = [];
    for (let i = 0; i < 250; i++) counts.push((await run('return 1')).runtimeJobs);
    expect(counts).toEqual(Array.from({ length: 250 }, (_, i) => (i % 100) + 1));
  });

  it('replaces the runtime after queued promise jobs, interruptions and memory failures', async () => {
    await freshRuntime();
    expect((await run('return 1')).runtimeJobs).toBe(1);
    expect((await run('Promise.resolve().then(() => 1); return 1')).runtimeJobs).toBe(2);
    expect((await run('return 1')).runtimeJobs).toBe(1);
    expect((await run('while (true) {}', { timeoutMs: 50 })).kind).toBe('timeout');
    expect((await run('return 1')).runtimeJobs).toBe(1);
    setTimeout(() => Atomics.store(abortFlag, 0, 1), 50);
    const aborted = run('while (true) {}');
    // Raised while the job runs (run() clears the flag when it sends a job).
    expect((await aborted).kind).toBe('aborted');
    expect((await run('return 1')).runtimeJobs).toBe(1);
    expect((await run('return 1')).runtimeJobs).toBe(2);
    const memory = await run('const a = []; while (true) a.push({ n: a.length });', {
      memoryLimitBytes: 2 * 1024 * 1024,
    });
    expect(memory).toMatchObject({ ok: false, kind: 'memory', runtimeJobs: 1 });
    expect((await run('return 1')).runtimeJobs).toBe(1);
  });

  it('retries a memory failure once on a fresh runtime, with fresh logs', async () => {
    await freshRuntime();
    const limits = { memoryLimitBytes: 4 * 1024 * 1024 };
    expect(await run(pairs(100_000), limits)).toMatchObject({ ok: true, runtimeJobs: 1 });
    // Fails on the reused runtime (the garbage above still counts), succeeds on a fresh one.
    const moderate = await run(`console.log("start"); ${pairs(60_000)}`, limits);
    expect(moderate).toMatchObject({ ok: true, json: '60000', logs: ['start'], runtimeJobs: 1 });
    // A real memory failure is reported, after at most one retry.
    await run('return 1', limits);
    const real = await run(`console.log("start"); ${pairs(200_000)}`, limits);
    expect(real).toMatchObject({ ok: false, kind: 'memory', logs: ['start'], runtimeJobs: 1 });
  });

  it('retries within the time that is left', async () => {
    await freshRuntime();
    const limits = { memoryLimitBytes: 4 * 1024 * 1024 };
    await run(pairs(100_000), limits);
    // Busy for 400 ms, then fails for memory on the reused runtime. The retry has only the 200 ms
    // left: it times out instead of succeeding, as it would with a new full time limit.
    const started = Date.now();
    const out = await run(`const end = Date.now() + 400; while (Date.now() < end) {}\n${pairs(60_000)}`, {
      ...limits,
      timeoutMs: 600,
    });
    expect(out).toMatchObject({ ok: false, kind: 'timeout', runtimeJobs: 1 });
    expect(Date.now() - started).toBeLessThan(1_500);
  });
});
