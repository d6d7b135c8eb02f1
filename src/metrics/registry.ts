/**
 * The per-process metrics: one prom-client registry per process (created on first use), holding
 * prom-client's default metrics (memory, CPU, event-loop lag, GC), HTTP requests and WebSocket
 * connections. With `serve --workers N` every server process has its own copy and the primary sums
 * them on each scrape (cluster.ts). Execution and node metrics live in `executionRegistry` and are
 * only filled in embedded mode; in distributed mode they are kept in Redis (execution-metrics.ts).
 */
import cluster from 'node:cluster';
import client from 'prom-client';

/** Node duration buckets in seconds: from quick transforms to long LLM agent turns. */
export const NODE_DURATION_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300,
];

export interface ProcessMetrics {
  registry: client.Registry;
  /** Execution/node metrics of this process (embedded mode only). */
  executionRegistry: client.Registry;
  httpRequests: client.Counter<'method' | 'route' | 'status'>;
  httpDuration: client.Histogram<'method' | 'route'>;
  /** Functions that count open WebSocket connections (one per app built in this process). */
  websocketCounters: Set<() => number>;
}

let current: ProcessMetrics | undefined;

export function processMetrics(): ProcessMetrics {
  if (current) return current;
  const registry = new client.Registry();
  const executionRegistry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
  const websocketCounters = new Set<() => number>();
  const metrics: ProcessMetrics = {
    registry,
    executionRegistry,
    websocketCounters,
    httpRequests: new client.Counter({
      name: 'pipelit_http_requests_total',
      help: 'HTTP requests answered, by method, route template and status code.',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    httpDuration: new client.Histogram({
      name: 'pipelit_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by method and route template.',
      labelNames: ['method', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120],
      registers: [registry],
    }),
  };
  new client.Gauge({
    name: 'pipelit_websocket_connections',
    help: 'Open WebSocket connections (/ws/).',
    registers: [registry],
    collect() {
      let n = 0;
      for (const count of websocketCounters) n += count();
      this.set(n);
    },
  });
  if (cluster.isWorker) {
    // Answer the primary's "send me your metrics" messages with this process's registries.
    new client.AggregatorRegistry();
    client.AggregatorRegistry.setRegistries([registry, executionRegistry]);
  }
  current = metrics;
  return metrics;
}
