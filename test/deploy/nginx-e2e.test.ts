/**
 * The production setup end to end: `pipelit serve --workers 2` (with the systemd unit's flags) and
 * `pipelit worker workflows --with-scheduler` on PostgreSQL + Redis, behind nginx running
 * deploy/nginx/pipelit.conf (ports, upstream and certificate paths substituted into a temp copy)
 * with a self-signed certificate. Over HTTPS through the proxy: login, a deep SPA link, a workflow
 * run by the worker whose node events arrive on a `wss://` socket, and `/metrics` refused; directly
 * on 127.0.0.1 with METRICS_TOKEN the metrics of both server processes are summed.
 * Skips with a printed reason when nginx, PostgreSQL or Redis is missing (fails instead under CI=true).
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import type { Database } from '../../src/db/schema.js';
import {
  freePort,
  httpGet,
  ROOT,
  type Running,
  runPipelit,
  startPipelit,
  TEST_SECRETS,
  waitForHealth,
} from '../helpers/processes.js';
import { seedWorkflow } from '../helpers/seed-workflow.js';
import { createTestDatabase, postgresUrl, redisUrl, type TestDatabase } from '../helpers/test-database.js';

const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));
const SERVE_FLAGS = [
  '--timeout',
  '120',
  '--graceful-timeout',
  '30',
  '--access-logfile',
  '-',
  '--error-logfile',
  '-',
];

function reason(): string {
  if (!NGINX) return 'nginx is not installed (apt-get install nginx; .ci/run does it)';
  if (!postgresUrl()) return 'no PostgreSQL reachable for this test run';
  if (!redisUrl()) return 'no Redis reachable for this test run';
  if (!existsSync(join(ROOT, 'dist', 'cli', 'index.js'))) return 'dist/ is not built (run `npm run build`)';
  if (!existsSync(join(ROOT, 'web', 'dist', 'index.html')))
    return 'web/dist is not built (run `npm run build`)';
  return '';
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface RawSocket {
  on(event: 'message', cb: (data: Buffer) => void): void;
  on(event: 'open' | 'error' | 'close', cb: (arg?: unknown) => void): void;
  send(text: string): void;
  close(): void;
  readonly protocol: string;
}
type WsCtor = new (
  url: string,
  protocols: string[],
  opts: { ca: string; headers?: Record<string, string> },
) => RawSocket;
const WebSocket = createRequire(import.meta.url)('ws') as WsCtor;

/** Writes nginx.conf around a copy of deploy/nginx/pipelit.conf with test ports and paths. */
function nginxConfigFor(opts: {
  dir: string;
  appPort: number;
  httpPort: number;
  httpsPort: number;
  cert: string;
  key: string;
}): string {
  const site = readFileSync(join(ROOT, 'deploy', 'nginx', 'pipelit.conf'), 'utf8');
  const replace = (text: string, from: string, to: string) => {
    if (!text.includes(from)) throw new Error(`deploy/nginx/pipelit.conf no longer contains "${from}"`);
    return text.split(from).join(to);
  };
  let conf = replace(site, 'server 127.0.0.1:8000;', `server 127.0.0.1:${opts.appPort};`);
  conf = replace(conf, '    listen [::]:80;\n', '');
  conf = replace(conf, '    listen [::]:443 ssl http2;\n', '');
  conf = replace(conf, 'listen 80;', `listen 127.0.0.1:${opts.httpPort};`);
  conf = replace(conf, 'listen 443 ssl http2;', `listen 127.0.0.1:${opts.httpsPort} ssl http2;`);
  conf = replace(conf, '/etc/letsencrypt/live/pipelit.example.com/fullchain.pem', opts.cert);
  conf = replace(conf, '/etc/letsencrypt/live/pipelit.example.com/privkey.pem', opts.key);
  writeFileSync(join(opts.dir, 'pipelit.conf'), conf);
  for (const sub of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(opts.dir, sub));
  const main = [
    // Workers of a root master would switch to `nobody`, which cannot read the temp directory.
    process.getuid?.() === 0 ? 'user root;' : '',
    'daemon off;',
    'worker_processes 1;',
    `pid ${join(opts.dir, 'nginx.pid')};`,
    `error_log ${join(opts.dir, 'error.log')} warn;`,
    'events { worker_connections 256; }',
    'http {',
    `  access_log ${join(opts.dir, 'access.log')};`,
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(
      (sub) => `  ${sub}_temp_path ${join(opts.dir, sub)};`,
    ),
    `  include ${join(opts.dir, 'pipelit.conf')};`,
    '}',
    '',
  ].join('\n');
  const path = join(opts.dir, 'nginx.conf');
  writeFileSync(path, main);
  return path;
}

describe('production deployment behind nginx (HTTPS, WebSocket, worker, metrics)', () => {
  let database: TestDatabase;
  let db: Kysely<Database>;
  let closeDb: () => Promise<void>;
  let env: Record<string, string>;
  let server: Running;
  let worker: Running;
  let nginx: ReturnType<typeof spawn> | undefined;
  let nginxLog = '';
  let appPort = 0;
  let httpsPort = 0;
  let httpPort = 0;
  let ca = '';
  const metricsToken = `tok-${randomBytes(12).toString('hex')}`;
  const slug = `deploy-${randomBytes(4).toString('hex')}`;
  const password = 'deploy-admin-password';

  /** An HTTPS request through nginx that trusts only our self-signed certificate. */
  function viaProxy(
    method: string,
    path: string,
    opts: { body?: unknown; key?: string; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
    return new Promise((resolve, reject) => {
      const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
      const headers: Record<string, string> = { ...opts.headers };
      if (payload) headers['content-type'] = 'application/json';
      if (opts.key) headers.authorization = `Bearer ${opts.key}`;
      const req = httpsRequest(
        { host: '127.0.0.1', port: httpsPort, path, method, ca, headers, agent: false },
        (res) => {
          let text = '';
          res.on('data', (d) => {
            text += d;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
        },
      );
      req.on('error', reject);
      req.setTimeout(15_000, () => req.destroy(new Error('timeout')));
      req.end(payload);
    });
  }

  beforeAll(async () => {
    if (reason()) return;
    database = await createTestDatabase('postgres');
    const dir = database.dir;
    // Self-signed certificate for 127.0.0.1.
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    const ssl = spawnSync('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ]);
    expect(ssl.status, ssl.stderr?.toString()).toBe(0);
    ca = readFileSync(cert, 'utf8');

    appPort = await freePort();
    httpsPort = await freePort();
    httpPort = await freePort();
    env = {
      ...TEST_SECRETS,
      DATABASE_URL: database.url,
      REDIS_URL: redisUrl(),
      PIPELIT_QUEUE_PREFIX: `test-deploy-${randomBytes(5).toString('hex')}`,
      PIPELIT_DIR: join(dir, 'data'),
      FRONTEND_DIST_PATH: join(ROOT, 'web', 'dist'),
      TRUSTED_PROXIES: '127.0.0.1',
      ALLOWED_HOSTS: 'localhost,127.0.0.1',
      CORS_ALLOW_ALL_ORIGINS: 'false',
      METRICS_TOKEN: metricsToken,
      // info: the access log (one line per request) is written at info level.
      LOG_LEVEL: 'info',
    };
    const migrate = runPipelit(['migrate'], { cwd: dir, env });
    expect(migrate.status, migrate.stderr).toBe(0);
    const setup = runPipelit(['setup', '--username', 'admin', '--password', password], { cwd: dir, env });
    expect(setup.status, setup.stderr).toBe(0);
    const opened = openDatabase({ kind: 'postgres', url: database.url });
    db = opened.db;
    closeDb = () => opened.close();
    const admin = await db
      .selectFrom('users')
      .select('id')
      .where('username', '=', 'admin')
      .executeTakeFirstOrThrow();
    await seedWorkflow(db, admin.id, {
      slug,
      nodes: [
        { id: 'hook', type: 'trigger_webhook' },
        { id: 'calc', type: 'code', extra: { code: 'return { doubled: trigger.payload.n * 2 };' } },
      ],
      edges: [{ from: 'hook', to: 'calc' }],
    });

    server = startPipelit(['serve', '--workers', '2', '--bind', `127.0.0.1:${appPort}`, ...SERVE_FLAGS], {
      cwd: dir,
      env,
    });
    worker = startPipelit(['worker', 'workflows', '--with-scheduler'], { cwd: dir, env });
    await waitForHealth(appPort, server, 60_000);

    const nginxDir = join(dir, 'nginx');
    mkdirSync(nginxDir);
    const conf = nginxConfigFor({ dir: nginxDir, appPort, httpPort, httpsPort, cert, key });
    const check = spawnSync(NGINX!, ['-t', '-p', nginxDir, '-e', join(nginxDir, 'error.log'), '-c', conf]);
    expect(check.status, check.stderr.toString()).toBe(0);
    nginx = spawn(NGINX!, ['-p', nginxDir, '-e', join(nginxDir, 'error.log'), '-c', conf]);
    nginx.stderr?.on('data', (d) => {
      nginxLog += d;
    });
    const deadline = Date.now() + 15_000;
    for (;;) {
      const ok = await viaProxy('GET', '/health').then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) break;
      if (Date.now() > deadline) throw new Error(`nginx did not come up: ${nginxLog}`);
      await sleep(100);
    }
  }, 120_000);

  afterAll(async () => {
    nginx?.kill('SIGQUIT');
    for (const p of [server, worker]) p?.child.kill('SIGTERM');
    await Promise.all([server, worker].map((p) => p && Promise.race([p.exited, sleep(15_000)])));
    for (const p of [server, worker]) if (p && p.child.exitCode === null) p.child.kill('SIGKILL');
    if (nginx && nginx.exitCode === null) nginx.kill('SIGKILL');
    await closeDb?.();
    await database?.drop();
  }, 60_000);

  const guard = (ctx: { skip: () => void }) => {
    const why = reason();
    if (!why) return;
    if (process.env.CI === 'true') throw new Error(`nginx end-to-end test cannot run under CI: ${why}`);
    console.log(`[deploy] nginx end-to-end test skipped: ${why}`);
    ctx.skip();
  };

  let apiKey = '';

  it('logs in over HTTPS; the app sees the proxied scheme (HSTS) and plain HTTP redirects', async (ctx) => {
    guard(ctx);
    const login = await viaProxy('POST', '/api/v1/auth/token/', { body: { username: 'admin', password } });
    expect(login.status, login.text).toBe(200);
    apiKey = JSON.parse(login.text).key;
    expect(apiKey.length).toBeGreaterThanOrEqual(32);
    const me = await viaProxy('GET', '/api/v1/auth/me/', { key: apiKey });
    expect(me.status).toBe(200);
    expect(JSON.parse(me.text).username).toBe('admin');
    // X-Forwarded-Proto from the trusted proxy: the app knows the request was HTTPS.
    expect(String(me.headers['strict-transport-security'])).toContain('max-age=');
    expect((await viaProxy('GET', '/api/v1/auth/me/')).status).toBe(401);
    const plain = await httpGet(httpPort, '/login');
    expect(plain.status).toBe(301);
  });

  it('serves a deep SPA link as index.html through the proxy', async (ctx) => {
    guard(ctx);
    const page = await viaProxy('GET', `/workflows/${slug}`);
    expect(page.status).toBe(200);
    expect(String(page.headers['content-type'])).toContain('text/html');
    expect(page.text).toBe(readFileSync(join(ROOT, 'web', 'dist', 'index.html'), 'utf8'));
  });

  it('runs a workflow on the worker; its node events arrive on wss:// through nginx', async (ctx) => {
    guard(ctx);
    const frames: Array<Record<string, unknown>> = [];
    const socket = new WebSocket(`wss://127.0.0.1:${httpsPort}/ws/`, ['pipelit', `pipelit.token.${apiKey}`], {
      ca,
    });
    socket.on('message', (d) => {
      const m = JSON.parse(d.toString()) as Record<string, unknown>;
      frames.push(m);
      if (m.type === 'ping') socket.send(JSON.stringify({ type: 'pong' }));
    });
    await new Promise((resolve, reject) => {
      socket.on('open', resolve);
      socket.on('error', reject);
    });
    expect(socket.protocol).toBe('pipelit');
    const waitFrame = async (match: (m: Record<string, unknown>) => boolean, ms = 20_000) => {
      const deadline = Date.now() + ms;
      for (;;) {
        const found = frames.find(match);
        if (found) return found;
        if (Date.now() > deadline)
          throw new Error(`no such frame; got ${JSON.stringify(frames).slice(0, 800)}`);
        await sleep(25);
      }
    };
    socket.send(JSON.stringify({ type: 'subscribe', channel: `workflow:${slug}` }));
    await waitFrame((m) => m.type === 'subscribed');

    const fired = await viaProxy('POST', `/api/v1/webhooks/${slug}`, { key: apiKey, body: { n: 21 } });
    expect(fired.status, fired.text).toBe(202);
    const executionId = JSON.parse(fired.text).execution_id as string;
    const done = await waitFrame((m) => m.type === 'execution_completed' && m.execution_id === executionId);
    expect(done.channel).toBe(`workflow:${slug}`);
    const calc = await waitFrame(
      (m) =>
        m.type === 'node_status' &&
        m.execution_id === executionId &&
        (m.data as { node_id?: string; status?: string })?.node_id === 'calc' &&
        (m.data as { status?: string }).status === 'success',
    );
    expect((calc.data as { output: { output: { doubled: number } } }).output.output.doubled).toBe(42);
    // The server processes do not run executions in distributed mode: the worker did.
    const row = await db
      .selectFrom('executions')
      .select(['status'])
      .where('execution_id', '=', executionId)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('completed');

    // While the socket is open: the summed metrics of both server processes count it exactly once,
    // whichever process answers the scrape; execution and node metrics come from the worker.
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`http://127.0.0.1:${appPort}/metrics`, {
        headers: { authorization: `Bearer ${metricsToken}`, connection: 'close' },
      });
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).toMatch(/^pipelit_websocket_connections 1$/m);
      expect(text).toMatch(/^pipelit_executions_total\{status="completed"\} [1-9]/m);
      expect(text).toMatch(/^pipelit_node_duration_seconds_count\{component_type="code"\} [1-9]/m);
      expect(text).toMatch(
        /^pipelit_http_requests_total\{method="POST",route="\/api\/v1\/webhooks\/:slug",status="202"\} 1$/m,
      );
      expect(text).toMatch(/^pipelit_queue_jobs\{state="pending"\} 0$/m);
      expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
    }
    socket.close();
  });

  it('refuses /metrics through the proxy, even with the token; serves it on 127.0.0.1 with the token', async (ctx) => {
    guard(ctx);
    expect((await viaProxy('GET', '/metrics')).status).toBe(403);
    expect(
      (await viaProxy('GET', '/metrics', { headers: { authorization: `Bearer ${metricsToken}` } })).status,
    ).toBe(403);
    expect((await viaProxy('GET', '/metrics/')).status).toBe(403);
    expect((await viaProxy('GET', '/%6detrics')).status).toBe(403);
    // The app's own check: a request carrying a proxy's X-Forwarded-For is judged by that client.
    const spoofed = await fetch(`http://127.0.0.1:${appPort}/metrics`, {
      headers: { 'x-forwarded-for': '203.0.113.9' },
    });
    expect(spoofed.status).toBe(403);
    // Loopback without a proxy header is allowed by the default METRICS_ALLOW.
    expect((await httpGet(appPort, '/metrics')).status).toBe(200);
  });

  it('logs JSON lines with role and pid (what `journalctl -o cat | jq` reads)', async (ctx) => {
    guard(ctx);
    const lines = (r: Running) =>
      r
        .output()
        .split('\n')
        .filter((l) => l.startsWith('{'));
    // The access log (--access-logfile -) has a line per request, including those through nginx.
    const access = lines(server)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.msg === 'access');
    expect(access.length).toBeGreaterThan(0);
    for (const entry of access) {
      expect(entry.role).toBe('Server');
      expect(typeof entry.pid).toBe('number');
    }
    expect(access.some((e) => e.url === '/api/v1/auth/token/' && e.status === 200)).toBe(true);
    for (const line of lines(worker))
      expect((JSON.parse(line) as { role: string }).role).toMatch(/^Worker-\d+$/);
  });

  it('`pipelit queue info` shows the live worker with its scheduler', async (ctx) => {
    guard(ctx);
    const res = runPipelit(['queue', 'info', '--json'], { cwd: database.dir, env });
    expect(res.status, res.stderr).toBe(0);
    const info = JSON.parse(res.stdout) as {
      queues: Record<string, { pending: number }>;
      workers: Array<{ live: boolean; scheduler: boolean }>;
    };
    expect(info.queues.workflows.pending).toBe(0);
    expect(info.workers.some((w) => w.live && w.scheduler)).toBe(true);
  });

  // Last: a password login rotates the session key the tests above use.
  it("the web app's session cookie works through nginx: Secure over HTTPS, and on wss:// from its own origin", async (ctx) => {
    guard(ctx);
    const login = await viaProxy('POST', '/api/v1/auth/token/', {
      body: { username: 'admin', password },
      headers: { 'x-pipelit-session': 'cookie' },
    });
    expect(login.status, login.text).toBe(200);
    const setCookie = ([] as string[]).concat(login.headers['set-cookie'] as string[]).join('\n');
    expect(setCookie).toMatch(/pipelit_session=[\w-]+;.*HttpOnly/);
    expect(setCookie).toContain('Secure'); // the app knows the browser spoke HTTPS
    const cookie = /pipelit_session=[\w-]+/.exec(setCookie)![0];
    const me = await viaProxy('GET', '/api/v1/auth/me/', {
      headers: { cookie, 'x-pipelit-session': 'cookie' },
    });
    expect(me.status, me.text).toBe(200);

    // The page's Origin carries the port; nginx passes the Host with it ($http_host), so they match.
    const open = (origin: string) =>
      new Promise<{ opened: boolean; code?: number }>((resolve) => {
        const ws = new WebSocket(`wss://127.0.0.1:${httpsPort}/ws/`, [], { ca, headers: { cookie, origin } });
        ws.on('message', (d) => {
          const m = JSON.parse(d.toString()) as Record<string, unknown>;
          if (m.type === 'subscribed') {
            ws.close();
            resolve({ opened: true });
          }
        });
        ws.on('open', () => ws.send(JSON.stringify({ type: 'subscribe', channel: `workflow:${slug}` })));
        ws.on('close', (code) => resolve({ opened: false, code: code as number }));
        ws.on('error', () => {});
      });
    expect(await open(`https://127.0.0.1:${httpsPort}`)).toEqual({ opened: true });
    expect(await open('https://elsewhere.example')).toEqual({ opened: false, code: 1008 });
  });
});
