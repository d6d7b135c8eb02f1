/**
 * Background work a process runs besides answering HTTP: in embedded mode the server process also
 * runs executions, the scheduler and the reaper; in distributed mode `pipelit worker` does.
 * Each feature adds its start/stop here.
 */
import type { Services } from './services.js';

export interface Runtime {
  stop(): Promise<void>;
}

export interface RuntimeOptions {
  role: 'server' | 'worker';
}

export async function startRuntime(_services: Services, _opts: RuntimeOptions): Promise<Runtime> {
  const stops: Array<() => Promise<void>> = [];
  return {
    async stop() {
      for (const stop of stops.reverse()) await stop();
    },
  };
}
