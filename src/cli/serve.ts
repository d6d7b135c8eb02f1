/**
 * `pipelit serve`: the API server. With `--workers N` (N > 1) a primary process pre-forks N server
 * processes that share the port (node:cluster) and replaces any that dies; SIGTERM stops accepting,
 * lets in-flight requests finish within `--graceful-timeout`, then exits 0.
 */
import cluster, { type Worker } from 'node:cluster';
import { buildApp } from '../api/app.js';
import { closeServices, openServices } from '../boot.js';
import { loadSettings, type Settings } from '../config.js';
import { createLogger, type Logger } from '../logger.js';
import { serveClusterMetrics } from '../metrics/cluster.js';
import { DEFAULT_CONCURRENCY, startRuntime } from '../runtime.js';
import { ensureSecrets } from './ensure-secrets.js';
import { UsageError } from './fail.js';
import { productionProblems } from './production-checks.js';

export interface ServeOptions {
  workers: number;
  host: string;
  port: number;
  /** Seconds a request may take before it is answered 503; 0 disables. */
  timeout: number;
  /** Seconds in-flight requests get to finish after SIGTERM. */
  gracefulTimeout: number;
  /** Executions each process runs at once (embedded mode; distributed-mode servers run none). */
  concurrency: number;
  accessLogfile?: string;
  errorLogfile?: string;
}

export interface RawServeOptions {
  workers?: string;
  bind?: string;
  timeout?: string;
  gracefulTimeout?: string;
  concurrency?: string;
  accessLogfile?: string;
  errorLogfile?: string;
}

function positiveInt(name: string, value: string, min: number): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < min) {
    throw new UsageError(`${name}: must be a whole number ≥ ${min} (got ${JSON.stringify(value)})`);
  }
  return Number(value);
}

export function parseServeOptions(raw: RawServeOptions): ServeOptions {
  const bind = raw.bind ?? '127.0.0.1:8000';
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(bind);
  const port = match ? Number(match[3]) : Number.NaN;
  if (!match || port > 65535)
    throw new UsageError(`--bind: expected HOST:PORT such as 0.0.0.0:8000 (got "${bind}")`);
  return {
    workers: positiveInt('--workers', raw.workers ?? '1', 1),
    host: match[1] ?? match[2],
    port,
    timeout: positiveInt('--timeout', raw.timeout ?? '120', 0),
    gracefulTimeout: positiveInt('--graceful-timeout', raw.gracefulTimeout ?? '30', 0),
    concurrency: positiveInt('--concurrency', raw.concurrency ?? String(DEFAULT_CONCURRENCY.server), 1),
    accessLogfile: raw.accessLogfile,
    errorLogfile: raw.errorLogfile,
  };
}

function logTarget(settings: Settings, file: string | undefined): Settings {
  if (!file || file === '-') return settings;
  return { ...settings, logFile: file };
}

function loadCheckedSettings(): Settings {
  const settings = loadSettings();
  const problems = productionProblems(settings);
  if (problems.length) throw new UsageError(problems.join('\n  '));
  return settings;
}

export async function serve(opts: ServeOptions): Promise<void> {
  if (cluster.isWorker) return runServerProcess(opts, true);
  const generated = ensureSecrets();
  if (generated.length)
    process.stdout.write(`Generated ${generated.join(' and ')} into .env (keep that file private).\n`);
  const settings = loadCheckedSettings();
  if (opts.workers === 1) return runServerProcess(opts, false);
  return runPrimary(opts, settings);
}

function displayUrl(opts: ServeOptions): string {
  const host = opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : opts.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${opts.port}`;
}

async function printBanner(opts: ServeOptions, settings: Settings, needsSetup: boolean): Promise<void> {
  const url = displayUrl(opts);
  const db = settings.database.kind === 'sqlite' ? `SQLite at ${settings.database.path}` : 'PostgreSQL';
  const mode = settings.redisUrl ? 'distributed mode (Redis)' : 'embedded mode';
  const lines = [`Pipelit is running at ${url}  —  ${mode}, ${db}, ${opts.workers} process(es)`];
  if (needsSetup) {
    lines.push(
      `No admin account yet: open ${url}/ to create one, or run`,
      '  npx pipelit setup --username admin --password <at-least-8-characters>',
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function runServerProcess(opts: ServeOptions, inCluster: boolean): Promise<void> {
  const settings = loadCheckedSettings();
  const log = createLogger(logTarget(settings, opts.errorLogfile), 'Server');
  const accessLog = opts.accessLogfile
    ? createLogger(logTarget({ ...settings, logFile: '' }, opts.accessLogfile), 'Server', {
        stdout: opts.accessLogfile === '-',
      })
    : undefined;
  // In a cluster the primary has migrated already.
  const services = await openServices(settings, log, { migrate: !inCluster });
  const app = await buildApp(services, { accessLog, requestTimeoutMs: opts.timeout * 1000 });
  const background = await startRuntime(services, { role: 'server', concurrency: opts.concurrency });
  // Handlers first: a SIGTERM that arrives right after the port opens must still drain and exit 0.
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: draining in-flight requests');
    const force = setTimeout(() => {
      log.warn('graceful timeout reached; exiting with requests still open');
      process.exit(1);
    }, opts.gracefulTimeout * 1000);
    force.unref();
    try {
      await app.close();
      await background.stop();
      await closeServices(services);
    } finally {
      log.flush?.();
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  await app.listen({ host: opts.host, port: opts.port });
  log.info({ host: opts.host, port: opts.port }, 'listening');
  if (!inCluster) {
    const any = await services.database.db.selectFrom('users').select('id').limit(1).executeTakeFirst();
    await printBanner(opts, settings, !any);
  }
}

async function runPrimary(opts: ServeOptions, settings: Settings): Promise<void> {
  const log: Logger = createLogger(logTarget(settings, opts.errorLogfile), 'Server');
  // Migrate once here so the forked processes start on an up-to-date schema.
  const services = await openServices(settings, log);
  const needsSetup = !(await services.database.db
    .selectFrom('users')
    .select('id')
    .limit(1)
    .executeTakeFirst());
  await closeServices(services);

  let shuttingDown = false;
  const restarts: number[] = [];
  let announced = false;

  const fork = (): Worker => {
    const worker = cluster.fork();
    worker.on('listening', () => {
      if (!announced) {
        announced = true;
        void printBanner(opts, settings, needsSetup);
      }
    });
    return worker;
  };

  cluster.on('exit', (worker, code, signal) => {
    if (shuttingDown) return;
    log.warn({ worker: worker.process.pid, code, signal }, 'server process died; starting a replacement');
    const now = Date.now();
    restarts.push(now);
    while (restarts.length && restarts[0] < now - 10_000) restarts.shift();
    // A crash loop (e.g. the port is taken) must not spin the CPU: slow down after 10 quick deaths.
    setTimeout(fork, restarts.length > 10 ? 1000 : 0);
  });

  // A scrape of /metrics lands on one process; it asks here for the sum over all of them.
  serveClusterMetrics(log);
  for (let i = 0; i < opts.workers; i++) fork();

  const stop = (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info({ signal }, 'stopping server processes');
    const alive = () => Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && !w.isDead());
    for (const worker of alive()) worker.process.kill('SIGTERM');
    const deadline = Date.now() + (opts.gracefulTimeout + 5) * 1000;
    const check = setInterval(() => {
      const left = alive();
      if (left.length === 0) {
        clearInterval(check);
        process.exit(0);
      }
      if (Date.now() > deadline) {
        for (const worker of left) worker.process.kill('SIGKILL');
        clearInterval(check);
        process.exit(1);
      }
    }, 100);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
