/**
 * `GET /metrics` (Prometheus text format) and the per-request counters behind it.
 * Registered at the root, before the routes, so its `onResponse` hook sees every request.
 *
 * One scrape returns:
 * - per-process metrics, summed over every `serve --workers` process (cluster.ts): HTTP requests by
 *   route template and status, request durations, WebSocket connections, and prom-client's default
 *   metrics (memory, CPU, event-loop lag, GC); in embedded mode also the execution/node metrics;
 * - deployment-wide values computed by the answering process: executions pending/running (database),
 *   queue depth by state and the age of the oldest waiting job, and in distributed mode the
 *   execution/node metrics every process keeps in Redis (execution-metrics.ts).
 * Access: METRICS_TOKEN bearer or a METRICS_ALLOW source address (access.ts); anything else → 403.
 */
import { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { forbidden } from '../errors.js';
import { BullmqQueue } from '../queue/bullmq-queue.js';
import { VERSION } from '../version.js';
import { mayReadMetrics, parseAllowList } from './access.js';
import { clusterMetricsText } from './cluster.js';
import { RedisRecorder, recorderOf } from './execution-metrics.js';
import { Exposition } from './exposition.js';
import { processMetrics } from './registry.js';

const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  return Promise.race([work, new Promise<undefined>((r) => setTimeout(() => r(undefined), ms).unref())]);
}

async function deploymentMetrics(app: FastifyInstance, oldest: () => Promise<number | undefined>) {
  const { database, queue, settings, bus } = app.services;
  const out = new Exposition().family(
    'pipelit_info',
    'gauge',
    'Always 1; labels name the version and mode.',
    [{ labels: { version: VERSION, mode: settings.redisUrl ? 'distributed' : 'embedded' }, value: 1 }],
  );
  const rows = await withTimeout(
    database.db
      .selectFrom('executions')
      .select(['status', database.db.fn.countAll<number>().as('n')])
      .where('status', 'in', ['pending', 'running', 'interrupted'])
      .groupBy('status')
      .execute()
      .catch(() => undefined),
    3000,
  );
  if (rows) {
    const count = (s: string) => Number(rows.find((r) => r.status === s)?.n ?? 0);
    out.family('pipelit_executions_running', 'gauge', 'Executions running now (whole deployment).', [
      { value: count('running') },
    ]);
    out.family(
      'pipelit_executions_in_progress',
      'gauge',
      'Executions not finished yet, by status (whole deployment).',
      ['pending', 'running', 'interrupted'].map((status) => ({ labels: { status }, value: count(status) })),
    );
  }
  const stats = await withTimeout(
    queue.stats().catch(() => undefined),
    3000,
  );
  if (stats) {
    out.family(
      'pipelit_queue_jobs',
      'gauge',
      'Jobs in the execution queue by state (distributed mode: the shared Redis queue).',
      Object.entries(stats).map(([state, value]) => ({ labels: { state }, value })),
    );
  }
  const age = await withTimeout(
    oldest().catch(() => undefined),
    3000,
  );
  if (age !== undefined) {
    out.family(
      'pipelit_queue_oldest_job_age_seconds',
      'gauge',
      'Age of the oldest job waiting to be picked up (0 when none waits).',
      [{ value: age }],
    );
  }
  let text = out.text();
  const recorder = recorderOf(bus);
  if (recorder instanceof RedisRecorder) {
    text +=
      (await withTimeout(
        recorder.render().catch(() => ''),
        3000,
      )) ?? '';
  }
  return text;
}

export async function metricsRoutes(app: FastifyInstance): Promise<void> {
  const settings = app.services.settings;
  const access = {
    token: settings.metricsToken,
    ranges: parseAllowList(settings.metricsAllow),
    trustsProxies: settings.trustedProxies.length > 0,
  };
  const metrics = processMetrics();

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const method = request.method;
    metrics.httpRequests.inc({ method, route, status: String(reply.statusCode) });
    metrics.httpDuration.observe({ method, route }, reply.elapsedTime / 1000);
  });

  // Open WebSocket connections of this app (the ws server tracks its clients).
  const countSockets = () =>
    (app as unknown as { websocketServer?: { clients: Set<unknown> } }).websocketServer?.clients.size ?? 0;
  metrics.websocketCounters.add(countSockets);

  // Oldest waiting job: BullMQ keeps its creation time (embedded mode: none measured).
  let reader: Queue | undefined;
  const oldest = async (): Promise<number | undefined> => {
    const queue = app.services.queue;
    if (!(queue instanceof BullmqQueue)) return undefined;
    reader ??= new Queue(queue.name, { connection: queue.redis as never, prefix: queue.prefix });
    const [job] = await reader.getJobs(['waiting', 'prioritized'], 0, 0, true);
    return job ? Math.max(0, (Date.now() - job.timestamp) / 1000) : 0;
  };
  app.addHook('onClose', async () => {
    metrics.websocketCounters.delete(countSockets);
    await reader?.close().catch(() => {});
  });

  app.get('/metrics', async (request, reply) => {
    if (!mayReadMetrics(request, access)) {
      throw forbidden('Metrics are served only to METRICS_ALLOW addresses or with the METRICS_TOKEN bearer.');
    }
    // Execution metrics of this process exist only in embedded mode (distributed: Redis, below).
    const local = recorderOf(app.services.bus) instanceof RedisRecorder ? [] : [metrics.executionRegistry];
    const perProcess =
      (await clusterMetricsText()) ??
      (await Promise.all([metrics.registry, ...local].map((r) => r.metrics()))).join('\n');
    // prom-client writes NaN as `Nan` (e.g. the event-loop lag before its first sample); the text
    // format spells it `NaN`.
    const text = `${perProcess.trimEnd().replace(/ Nan$/gm, ' NaN')}\n${await deploymentMetrics(app, oldest)}`;
    return reply.header('cache-control', 'no-store').type(CONTENT_TYPE).send(text);
  });
}

// Root level (not encapsulated): the onResponse hook must see every route.
(metricsRoutes as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;
