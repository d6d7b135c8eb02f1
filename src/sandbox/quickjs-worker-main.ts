/**
 * Body of a QuickJS sandbox worker thread. It is started from its source text
 * (`new Worker(\`(${quickjsWorkerMain})()\`, { eval: true })`) so the same code runs from `src/`
 * under the test runner and from `dist/` in production; therefore it must be self-contained: no
 * imports, only `require` of absolute paths passed in `workerData`.
 *
 * One worker loads the WASM module once and then runs jobs one at a time, each in a fresh QuickJS
 * context that is disposed afterwards, so no global or prototype change outlives its job. The
 * runtime under the contexts is reused for up to MAX_JOBS_PER_RUNTIME jobs (creating and freeing
 * one per job was about a sixth of a trivial job's worker time); each job sets its own limits and
 * interrupt handler on it, and it is replaced early when a job could have left anything behind
 * that matters: queued promise jobs, an interruption, a memory failure. The interrupt handler
 * stops a job at its deadline or when the main thread raises the shared abort flag.
 *
 * Replies carry `runtimeJobs` (jobs run on the answering runtime, this one included; 1 = fresh),
 * which the runner ignores; tests read it to see when a runtime was reused or replaced.
 */
/* biome-ignore-all lint/suspicious/noExplicitAny: QuickJS handles are untyped inside the worker */
export function quickjsWorkerMain(): void {
  const { parentPort, workerData } = require('node:worker_threads');
  const { newQuickJSWASMModuleFromVariant, newVariant, RELEASE_SYNC } = require(workerData.quickjsPath);
  const abortFlag = new Int32Array(workerData.abortBuffer);

  // QuickJS's own memory limit cannot count bytes in this WASM build (it sees a fixed overhead per
  // allocation), so it only refuses single allocations above the limit: thirty 10 MB ArrayBuffers
  // passed a 16 MB limit. The WASM heap is therefore capped here as well: it may grow to the job's
  // limit plus HEAP_SLACK_BYTES (the module's own data, the runtime and context, input and output);
  // a refused growth makes the allocation fail, which QuickJS reports as out of memory. The heap
  // never shrinks, so a worker whose heap grew past RECYCLE_HEAP_BYTES exits after its job and the
  // pool starts a fresh one.
  const PAGE = 65_536;
  const HEAP_SLACK_BYTES = 48 * 1024 * 1024;
  const RECYCLE_HEAP_BYTES = 256 * 1024 * 1024;
  // (The WebAssembly global has no type declarations in this project's lib settings.)
  const memory = new (globalThis as any).WebAssembly.Memory({
    initial: (16 * 1024 * 1024) / PAGE,
    maximum: Math.ceil((workerData.maxMemoryLimitBytes + HEAP_SLACK_BYTES) / PAGE),
  });
  let heapCapBytes = memory.buffer.byteLength + HEAP_SLACK_BYTES;
  const grow = memory.grow.bind(memory);
  memory.grow = (pages: number) => {
    if (memory.buffer.byteLength + pages * PAGE > heapCapBytes) throw new RangeError('sandbox heap cap');
    return grow(pages);
  };
  const modulePromise: Promise<any> = newQuickJSWASMModuleFromVariant(
    newVariant(RELEASE_SYNC, { wasmMemory: memory }),
  );

  // Jobs per runtime before it is replaced: enough that creating one is rare, few enough that
  // what a runtime accumulates across jobs (atoms, shapes, cycles its GC has not reached) stays
  // small.
  const MAX_JOBS_PER_RUNTIME = 100;
  let runtime: any;
  let runtimeJobs = 0;

  // The user's code starts on line 2 of the evaluated file; errors report lines relative to it.
  const PREFIX =
    '(() => { const input = JSON.parse(globalThis.__pipelit_input); delete globalThis.__pipelit_input; ' +
    'const result = (function (input, trigger, node_outputs, loop, inputs) {\n';
  const SUFFIX =
    // An envelope may name what `input` is (the code node passes the webhook body); else the whole object.
    "\n}).call(undefined, 'input' in input ? input.input : input, input.trigger, input.node_outputs, input.loop, input.inputs);\n" +
    "if (result !== null && (typeof result === 'object' || typeof result === 'function') && typeof result.then === 'function') {\n" +
    "  return { __pipelit_error: 'the code returned a Promise; async code is not supported' };\n}\n" +
    'let json;\n' +
    'try { json = JSON.stringify(result === undefined ? null : result); }\n' +
    'catch (e) { return { __pipelit_error: String(e && e.message ? e.message : e) }; }\n' +
    "return json === undefined ? { __pipelit_error: 'a value of type ' + typeof result + ' cannot be returned' } : json;\n" +
    '})()';

  parentPort.on('message', (job: any) => {
    modulePromise.then(
      (QuickJS) => {
        let healthy = true;
        let reply: any;
        heapCapBytes = Math.max(memory.buffer.byteLength, job.memoryLimitBytes + HEAP_SLACK_BYTES);
        try {
          const outcome = runJob(QuickJS, job);
          reply = outcome.reply;
          healthy = outcome.healthy;
        } catch (error: any) {
          reply = {
            ok: false,
            kind: 'runtime',
            message: `Sandbox failure: ${error?.message ?? error}`,
            logs: [],
          };
          healthy = false;
        }
        parentPort.postMessage(reply);
        // A runtime that could not be disposed cleanly may have corrupted the WASM heap, and a heap
        // that grew large keeps its memory: start afresh.
        if (!healthy || memory.buffer.byteLength > RECYCLE_HEAP_BYTES) process.exit(0);
      },
      (error: any) => {
        parentPort.postMessage({
          ok: false,
          kind: 'runtime',
          message: `QuickJS failed to load: ${error?.message ?? error}`,
          logs: [],
        });
        process.exit(1);
      },
    );
  });

  function runJob(QuickJS: any, job: any): { reply: any; healthy: boolean } {
    // Computed once, so a retry gets only the time that is left.
    const deadline = Date.now() + job.timeoutMs;
    const first = attempt(QuickJS, job, deadline);
    // Garbage earlier jobs left on a reused runtime counts toward the limit (there is no way to
    // force a GC here), so a memory failure there may be spurious. The runtime has been discarded:
    // run once more on a fresh one. Sandboxed code does no I/O, so running it again is safe.
    if (first.healthy && first.reused && first.reply.kind === 'memory')
      return attempt(QuickJS, job, deadline);
    return first;
  }

  function attempt(
    QuickJS: any,
    job: any,
    deadline: number,
  ): { reply: any; healthy: boolean; reused: boolean } {
    const logs: string[] = [];
    let logChars = 0;
    let logsFull = false;
    let stopReason: 'timeout' | 'aborted' | undefined;
    let healthy = true;

    if (!runtime) {
      runtime = QuickJS.newRuntime();
      runtimeJobs = 0;
    }
    const rt = runtime;
    const reused = runtimeJobs > 0;
    const jobNumber = ++runtimeJobs;
    rt.setMaxStackSize(job.maxStackBytes);
    rt.setInterruptHandler(() => {
      if (Atomics.load(abortFlag, 0) !== 0) stopReason = 'aborted';
      else if (Date.now() > deadline) stopReason = 'timeout';
      return stopReason !== undefined;
    });
    // No limit while the context and its globals are made: garbage from earlier jobs could exceed
    // the job's limit, and QuickJS then returns a NULL context that quickjs-emscripten does not
    // check (using it corrupts the WASM heap). The limit applies before any user code runs, and
    // what the setup allocated counts toward it.
    rt.setMemoryLimit(-1);
    const vm = rt.newContext();
    let reply: any;
    try {
      const consoleObject = vm.newObject();
      const log = vm.newFunction('log', (...args: any[]) => {
        if (logsFull) return;
        const line = args.map((handle) => formatArg(vm, handle)).join(' ');
        if (logChars + line.length > job.maxOutputBytes || logs.length >= job.maxLogLines) {
          logs.push('[further logs truncated]');
          logsFull = true;
          return;
        }
        logChars += line.length;
        logs.push(line);
      });
      for (const name of ['log', 'info', 'warn', 'error', 'debug']) vm.setProp(consoleObject, name, log);
      vm.setProp(vm.global, 'console', consoleObject);
      log.dispose();
      consoleObject.dispose();
      const inputHandle = vm.newString(job.inputJson);
      vm.setProp(vm.global, '__pipelit_input', inputHandle);
      inputHandle.dispose();
      rt.setMemoryLimit(job.memoryLimitBytes);

      const result = vm.evalCode(PREFIX + job.code + SUFFIX, 'code.js');
      if (result.error) {
        const error = safeDump(vm, result.error);
        result.error.dispose();
        reply = { ok: false, ...classify(error, stopReason), logs };
      } else {
        const type = vm.typeof(result.value);
        if (type === 'string') {
          const json: string = vm.getString(result.value);
          reply =
            Buffer.byteLength(json) > job.maxOutputBytes
              ? {
                  ok: false,
                  kind: 'output_too_large',
                  message: `The result is larger than ${job.maxOutputBytes} bytes`,
                  logs,
                }
              : { ok: true, json, logs };
        } else {
          const detail = safeDump(vm, result.value);
          reply = {
            ok: false,
            kind: 'not_serialisable',
            message: `The result is not JSON-serialisable: ${detail?.__pipelit_error ?? 'unknown value'}`,
            logs,
          };
        }
        result.value.dispose();
      }
      reply.runtimeJobs = jobNumber;
    } finally {
      // An interrupted or out-of-memory job may have left the runtime in an odd state, and its
      // garbage would shrink the next job's memory: start the next job on a fresh runtime.
      const discard =
        reply === undefined ||
        stopReason !== undefined ||
        reply.kind === 'memory' ||
        jobNumber >= MAX_JOBS_PER_RUNTIME;
      try {
        vm.dispose();
        // Queued promise jobs keep the disposed context alive and must never run in another job.
        if (discard || rt.hasPendingJob()) {
          runtime = undefined;
          rt.dispose();
        }
      } catch {
        runtime = undefined;
        healthy = false;
      }
    }
    return { reply, healthy, reused };
  }

  function formatArg(vm: any, handle: any): string {
    if (vm.typeof(handle) === 'string') return vm.getString(handle);
    const value = safeDump(vm, handle);
    if (value === undefined) return 'undefined';
    try {
      return typeof value === 'string' ? value : JSON.stringify(value);
    } catch {
      return String(value);
    }
  }

  function safeDump(vm: any, handle: any): any {
    try {
      return vm.dump(handle);
    } catch {
      return undefined;
    }
  }

  function classify(error: any, stopReason: string | undefined): { kind: string; message: string } {
    const name = error?.name ?? 'Error';
    const message = String(error?.message ?? error ?? 'unknown error');
    if (stopReason && /interrupted/i.test(message)) {
      return stopReason === 'aborted'
        ? { kind: 'aborted', message: 'The code was cancelled' }
        : { kind: 'timeout', message: 'The code ran longer than its time limit' };
    }
    if (error === null || /out of memory|string too long|invalid (string|array) length/i.test(message)) {
      return { kind: 'memory', message: 'The code ran out of memory' };
    }
    const line = /code\.js:(\d+)/.exec(String(error?.stack ?? ''));
    const where = line ? ` (line ${Number(line[1]) - 1})` : '';
    return { kind: 'runtime', message: `${name}: ${message}${where}` };
  }
}
