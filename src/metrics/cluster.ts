/**
 * Metrics across `serve --workers N`: the processes share one port, so a scrape lands on any of them.
 * That process asks the primary over the cluster IPC channel; the primary collects every process's
 * registry with prom-client's AggregatorRegistry (counters and histograms summed, per-metric
 * aggregators for the default metrics) and answers with the text.
 */
import cluster from 'node:cluster';
import client from 'prom-client';
import type { Logger } from '../logger.js';

const REQUEST = 'pipelit:metrics-request';
const RESPONSE = 'pipelit:metrics-response';

interface MetricsMessage {
  type?: string;
  id?: number;
  text?: string;
  error?: string;
}

/** Call once in the cluster primary, before forking. */
export function serveClusterMetrics(log?: Logger): void {
  const aggregator = new client.AggregatorRegistry();
  cluster.on('message', (worker, message: MetricsMessage) => {
    if (message?.type !== REQUEST) return;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: RESPONSE, id: message.id, text }),
      (err: Error) => {
        log?.warn({ err: err.message }, 'metrics: aggregation failed');
        worker.send({ type: RESPONSE, id: message.id, error: err.message });
      },
    );
  });
}

let nextId = 0;
const waiting = new Map<number, (m: MetricsMessage) => void>();
let listening = false;

/**
 * In a cluster worker: the summed metrics of every server process, or undefined when the primary
 * does not answer within `timeoutMs` (the caller then serves this process's own metrics).
 */
export async function clusterMetricsText(timeoutMs = 6000): Promise<string | undefined> {
  if (!cluster.isWorker || !process.send) return undefined;
  if (!listening) {
    listening = true;
    process.on('message', (m: MetricsMessage) => {
      if (m?.type === RESPONSE && typeof m.id === 'number') waiting.get(m.id)?.(m);
    });
  }
  const id = nextId++;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      waiting.delete(id);
      resolve(undefined);
    }, timeoutMs);
    waiting.set(id, (m) => {
      clearTimeout(timer);
      waiting.delete(id);
      resolve(m.error ? undefined : m.text);
    });
    process.send?.({ type: REQUEST, id });
  });
}
