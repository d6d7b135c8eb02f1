/**
 * Execution and node metrics, counted where the engine publishes its events: the event bus of every
 * process is wrapped (`instrumentBus`, applied in boot.ts), so the engine itself needs no hook.
 * - `execution_started|completed|failed|cancelled|interrupted` on `execution:<id>` →
 *   `pipelit_executions_total{status}`;
 * - `node_status` running → success/failed on `execution:<id>` → `pipelit_node_duration_seconds`
 *   by `component_type` (the type comes from the `running` event; the duration from `duration_ms`).
 * Embedded mode keeps them in this process's prom-client registry. Distributed mode runs executions
 * in `pipelit worker` processes that serve no HTTP, so every process adds to one Redis hash
 * (`<prefix>:metrics`) and the server that answers a scrape reads it: the numbers are cluster-wide.
 */
import { Redis } from 'ioredis';
import client from 'prom-client';
import type { Settings } from '../config.js';
import type { Logger } from '../logger.js';
import { DEFAULT_PREFIX } from '../queue/bullmq-queue.js';
import type { EventBus } from '../realtime/event-bus.js';
import { Exposition, type HistogramSeries } from './exposition.js';
import { NODE_DURATION_BUCKETS, processMetrics } from './registry.js';

export interface ExecutionMetricsRecorder {
  readonly kind: 'process' | 'redis';
  execution(status: string): void;
  node(componentType: string, seconds: number): void;
  close(): Promise<void>;
}

const EXECUTION_STATUS: Record<string, string> = {
  execution_started: 'started',
  execution_completed: 'completed',
  execution_failed: 'failed',
  execution_cancelled: 'cancelled',
  execution_interrupted: 'interrupted',
};

const EXEC_HELP = 'Executions by event: started, completed, failed, cancelled, interrupted.';
const NODE_HELP = 'Node run time in seconds, by component type (successful and failed runs).';

function bucketIndex(seconds: number): number {
  const i = NODE_DURATION_BUCKETS.findIndex((le) => seconds <= le);
  return i === -1 ? NODE_DURATION_BUCKETS.length : i;
}

/** Embedded mode: prom-client objects in this process (summed across `--workers` by the primary). */
class ProcessRecorder implements ExecutionMetricsRecorder {
  readonly kind = 'process' as const;
  private static counters?: {
    executions: client.Counter<'status'>;
    nodes: client.Histogram<'component_type'>;
  };

  constructor() {
    if (!ProcessRecorder.counters) {
      const registers = [processMetrics().executionRegistry];
      ProcessRecorder.counters = {
        executions: new client.Counter({
          name: 'pipelit_executions_total',
          help: EXEC_HELP,
          labelNames: ['status'],
          registers,
        }),
        nodes: new client.Histogram({
          name: 'pipelit_node_duration_seconds',
          help: NODE_HELP,
          labelNames: ['component_type'],
          buckets: NODE_DURATION_BUCKETS,
          registers,
        }),
      };
    }
  }

  execution(status: string): void {
    ProcessRecorder.counters?.executions.inc({ status });
  }

  node(componentType: string, seconds: number): void {
    ProcessRecorder.counters?.nodes.observe({ component_type: componentType }, seconds);
  }

  async close(): Promise<void> {}
}

/** Distributed mode: one Redis hash shared by every process of the deployment. */
export class RedisRecorder implements ExecutionMetricsRecorder {
  readonly kind = 'redis' as const;
  readonly key: string;
  private readonly redis: Redis;

  constructor(url: string, prefix = DEFAULT_PREFIX) {
    this.key = `${prefix}:metrics`;
    this.redis = new Redis(url, {
      lazyConnect: true,
      maxRetriesPerRequest: 2,
      connectionName: 'pipelit-metrics',
    });
    this.redis.on('error', () => {}); // metrics never disturb the work; the queue reports Redis problems
  }

  execution(status: string): void {
    this.redis.hincrby(this.key, `exec|${status}`, 1).catch(() => {});
  }

  node(componentType: string, seconds: number): void {
    const type = componentType.replace(/\|/g, '_');
    this.redis
      .pipeline()
      .hincrby(this.key, `node|${type}|${bucketIndex(seconds)}`, 1)
      .hincrbyfloat(this.key, `node|${type}|sum`, seconds)
      .exec()
      .catch(() => {});
  }

  /** The stored values as Prometheus text (executions counter and node-duration histogram). */
  async render(): Promise<string> {
    const fields = await this.redis.hgetall(this.key);
    const executions: Array<{ labels: { status: string }; value: number }> = [];
    const nodes = new Map<string, HistogramSeries>();
    for (const [field, raw] of Object.entries(fields)) {
      const parts = field.split('|');
      if (parts[0] === 'exec' && parts.length === 2) {
        executions.push({ labels: { status: parts[1] }, value: Number(raw) });
      } else if (parts[0] === 'node' && parts.length === 3) {
        let series = nodes.get(parts[1]);
        if (!series) {
          series = { labels: { component_type: parts[1] }, counts: [], sum: 0 };
          nodes.set(parts[1], series);
        }
        if (parts[2] === 'sum') series.sum = Number(raw);
        else series.counts[Number(parts[2])] = Number(raw);
      }
    }
    executions.sort((a, b) => a.labels.status.localeCompare(b.labels.status));
    return new Exposition()
      .family('pipelit_executions_total', 'counter', EXEC_HELP, executions)
      .histogram(
        'pipelit_node_duration_seconds',
        NODE_HELP,
        NODE_DURATION_BUCKETS,
        [...nodes.values()].sort((a, b) => a.labels.component_type.localeCompare(b.labels.component_type)),
      )
      .text();
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => {});
    this.redis.disconnect();
  }
}

/** The recorder behind an instrumented bus (the `/metrics` route renders a Redis one itself). */
export function recorderOf(bus: EventBus): ExecutionMetricsRecorder | undefined {
  return bus instanceof MeteredEventBus ? bus.recorder : undefined;
}

/** Remembers node start (type and time) between its `running` and its final event. */
const MAX_OPEN_NODES = 20_000;

/**
 * An event bus that counts every execution and node event published through it, then hands the
 * event to the bus it wraps. Subscribing behaves exactly as on that bus; counting never throws.
 */
export class MeteredEventBus implements EventBus {
  private readonly open = new Map<string, { type: string; at: number }>();

  constructor(
    /** The bus that delivers the events (local or Redis). */
    readonly inner: EventBus,
    readonly recorder: ExecutionMetricsRecorder,
    private readonly log?: Logger,
  ) {}

  publish(channel: string, message: Record<string, unknown>): Promise<void> {
    try {
      this.observe(channel, message);
    } catch (err) {
      this.log?.debug({ err }, 'metrics: event not counted');
    }
    return this.inner.publish(channel, message);
  }

  subscribe(...args: Parameters<EventBus['subscribe']>): ReturnType<EventBus['subscribe']> {
    return this.inner.subscribe(...args);
  }

  async close(): Promise<void> {
    try {
      await this.inner.close();
    } finally {
      await this.recorder.close();
    }
  }

  private observe(channel: string, message: Record<string, unknown>): void {
    if (!channel.startsWith('execution:')) return; // the workflow-channel copy would count twice
    const type = String(message.type);
    const status = EXECUTION_STATUS[type];
    if (status) {
      this.recorder.execution(status);
      return;
    }
    if (type !== 'node_status') return;
    const data = (message.data ?? {}) as Record<string, unknown>;
    if (data.is_tool_call) return; // tool calls inside an agent are part of the agent node's time
    const key = `${message.execution_id}|${data.node_id}|${data.iteration ?? ''}`;
    if (data.status === 'running') {
      if (this.open.size >= MAX_OPEN_NODES) this.open.delete(this.open.keys().next().value as string);
      this.open.set(key, { type: String(data.component_type ?? 'unknown'), at: Date.now() });
      return;
    }
    if (data.status !== 'success' && data.status !== 'failed') return;
    const started = this.open.get(key);
    this.open.delete(key);
    const ms =
      typeof data.duration_ms === 'number' ? data.duration_ms : started ? Date.now() - started.at : NaN;
    if (!Number.isFinite(ms) || ms < 0) return;
    this.recorder.node(String(data.component_type ?? started?.type ?? 'unknown'), ms / 1000);
  }
}

/** Wraps `bus` so it counts the execution and node events this process publishes. Idempotent. */
export function instrumentBus(
  bus: EventBus,
  settings: Pick<Settings, 'redisUrl' | 'queuePrefix'>,
  log?: Logger,
  given?: ExecutionMetricsRecorder,
): EventBus {
  if (bus instanceof MeteredEventBus) return bus;
  const recorder =
    given ??
    (settings.redisUrl ? new RedisRecorder(settings.redisUrl, settings.queuePrefix) : new ProcessRecorder());
  return new MeteredEventBus(bus, recorder, log);
}
