/**
 * Browser-test harness: a real server (`buildApp` on a fresh SQLite database, serving the built SPA
 * from web/dist on a random 127.0.0.1 port) and Debian's chromium driven by playwright-core.
 * Chromium missing → the suite is skipped with a printed reason, except under CI=true (then it fails).
 */
import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type Browser, chromium, type Page } from 'playwright-core';
import { buildApp } from '../../src/api/app.js';
import { issueApiKey } from '../../src/auth/issue-api-key.js';
import { openServices } from '../../src/boot.js';
import { loadSettings } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { type Runtime, startRuntime } from '../../src/runtime.js';
import type { Services } from '../../src/services.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

export const CHROMIUM = '/usr/bin/chromium';
export const DIST = resolve(import.meta.dirname, '../../web/dist');
export const SHOTS = resolve(import.meta.dirname, '../../test-results/e2e');

/** Why the browser tests cannot run here, or null. Throws under CI=true, where they must run. */
export function browserSkipReason(): string | null {
  if (existsSync(CHROMIUM)) return null;
  const reason = `${CHROMIUM} not found (install it with: apt-get install -y chromium)`;
  if (process.env.CI === 'true') throw new Error(`${reason} — required under CI=true`);
  return reason;
}

/** The e2e tests drive the built SPA; say so plainly when it was not built. */
export function assertSpaBuilt(): void {
  if (!existsSync(resolve(DIST, 'index.html'))) {
    throw new Error(`${DIST}/index.html is missing: run \`npm run build\` before the browser tests.`);
  }
}

export interface E2eServer {
  url: string;
  app: FastifyInstance;
  services: Services;
  close(): Promise<void>;
}

export async function startServer(): Promise<E2eServer> {
  const database: TestDatabase = await createTestDatabase('sqlite');
  const settings = loadSettings(
    {
      DATABASE_URL: database.url,
      PIPELIT_DIR: database.dir,
      SECRET_KEY: 'e2e-secret-key-that-is-long-enough-for-production',
      FIELD_ENCRYPTION_KEY: 'x0Rb1LF2lXbC4bR6dWTc8XoXz9Xq2Yd3sN1nG2Nf8vE=',
      LOG_LEVEL: 'silent',
      FRONTEND_DIST_PATH: DIST,
      RATE_LIMIT_PER_MINUTE: '0',
      RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '0',
      // LLM calls go through the guarded HTTP client; the mock LLM server listens on 127.0.0.1.
      OUTBOUND_ALLOWLIST: '127.0.0.1',
    },
    database.dir,
  );
  const services = await openServices(settings, silentLogger());
  const app = await buildApp(services, { serveSpa: true });
  await app.listen({ host: '127.0.0.1', port: 0 });
  // The embedded runtime runs executions (Run, chat) in this process, as `pipelit serve` does.
  const runtime: Runtime = await startRuntime(services, { role: 'server' });
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    services,
    async close() {
      await runtime.stop();
      await app.close();
      await services.bus.close();
      await services.database.close();
      await database.drop();
    },
  };
}

/**
 * A named API key for `username`, for the test's own API calls beside the browser (the web app's
 * key is in its httpOnly cookie, out of the page's reach; a password login would rotate it).
 */
export async function apiKeyOf(server: E2eServer, username: string): Promise<string> {
  const db = server.services.database.db;
  const user = await db
    .selectFrom('users')
    .select('id')
    .where('username', '=', username)
    .executeTakeFirstOrThrow();
  return (await issueApiKey(db, user.id, 'e2e')).key;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: resolve(SHOTS, `${name}.png`) });
}

/**
 * Collects console errors and uncaught page errors. A failed request to an endpoint the server does
 * not have yet (a later feature: executions, the WebSocket) is tolerated only while that route is
 * truly absent — as soon as it exists, the same message fails the test.
 */
export class ConsoleWatch {
  readonly errors: string[] = [];
  private readonly expected: string[] = [];

  constructor(
    private readonly app: FastifyInstance,
    private readonly pending: string[] = ['/api/v1/executions/', '/ws/'],
  ) {}

  /** The next console error mentioning `fragment` is one the test provokes on purpose. */
  expectOnce(fragment: string): void {
    this.expected.push(fragment);
  }

  attach(page: Page, label: string): void {
    page.on('pageerror', (err) => this.errors.push(`[${label}] page error: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      const text = msg.text();
      const where = msg.location().url || text;
      if (this.isPendingEndpoint(where) || this.isPendingEndpoint(text)) return;
      const planned = this.expected.findIndex((f) => where.includes(f) || text.includes(f));
      if (planned >= 0) {
        this.expected.splice(planned, 1);
        return;
      }
      this.errors.push(`[${label}] console error: ${text} (${where})`);
    });
  }

  private isPendingEndpoint(text: string): boolean {
    const match = text.match(/https?:\/\/[^/\s'"]+(\/[^\s'"?]*)|wss?:\/\/[^/\s'"]+(\/[^\s'"?]*)/);
    const path = match?.[1] ?? match?.[2];
    if (!path) return false;
    const prefix = this.pending.find((p) => path.startsWith(p) || `${path}/` === p);
    if (!prefix) return false;
    return (
      !this.app.hasRoute({ method: 'GET', url: prefix }) &&
      !this.app.hasRoute({ method: 'GET', url: prefix.replace(/\/$/, '') })
    );
  }
}

/** Retries an assertion until it passes or `timeoutMs` runs out (the page updates asynchronously). */
export async function eventually(assertion: () => Promise<void> | void, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
