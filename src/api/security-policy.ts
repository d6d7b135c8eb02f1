/**
 * Host and browser policy for every route, registered before any route:
 * - ALLOWED_HOSTS on the Host header (hostname without port; `*` allows all; `.example.com` allows
 *   the domain and its subdomains) → 400 `{"detail":"Invalid host header."}` otherwise;
 * - security headers (helmet, built once: @fastify/helmet rebuilt it — and re-parsed the CSP — on
 *   every request): a CSP for the same-origin React SPA, frame-ancestors 'none',
 *   nosniff, a strict referrer policy; HSTS only when the request arrived over TLS (directly, or
 *   X-Forwarded-Proto from a TRUSTED_PROXIES address — Fastify's trustProxy decides that);
 * - rate limits (@fastify/rate-limit): RATE_LIMIT_PER_MINUTE per API key, and
 *   RATE_LIMIT_PER_ADDRESS_PER_MINUTE per client address for requests without a key. In distributed
 *   mode (REDIS_URL) the counters live in Redis under `<PIPELIT_QUEUE_PREFIX>:rate-limit:`, shared by
 *   every `serve --workers N` process and every server machine; when Redis is unreachable requests
 *   are let through unlimited (fail open) and a warning is logged at most once a minute. In embedded
 *   mode they are per process (with `--workers N` the effective limit is up to N times higher).
 * It also records every route as it is added (`app.registeredRoutes`), for route-level tests.
 */
import { createHash } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import helmet from 'helmet';
import { Redis } from 'ioredis';
import { sessionKeyFrom } from '../auth/session-cookie.js';
import { bearerFrom } from '../auth/verify-api-key.js';
import { AppError, badRequest } from '../errors.js';
import { redactRedisUrl } from '../queue/redis-ping.js';

export interface RegisteredRoute {
  method: string;
  url: string;
  /** True for WebSocket routes (@fastify/websocket). */
  websocket: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered after the security policy, in registration order. */
    registeredRoutes: RegisteredRoute[];
  }
}

/** The hostname of a Host header value, lower-cased, without port or IPv6 brackets. */
export function hostnameOf(host: string): string {
  const value = host.trim().toLowerCase();
  if (value.startsWith('[')) return value.slice(1, value.indexOf(']') > 0 ? value.indexOf(']') : undefined);
  const colons = value.split(':').length - 1;
  if (colons === 1) return value.slice(0, value.indexOf(':'));
  return value; // bare name, or a bare IPv6 address
}

/** True when `host` (a Host header) names one of `allowed`. */
export function isAllowedHost(host: string | undefined, allowed: string[]): boolean {
  if (allowed.includes('*')) return true;
  if (!host) return false;
  const name = hostnameOf(host).replace(/\.$/, '');
  if (!name) return false;
  return allowed.some((entry) => {
    const rule = entry.trim().toLowerCase();
    if (rule.startsWith('.')) return name === rule.slice(1) || name.endsWith(rule);
    return name === rule.replace(/^\[|\]$/g, '');
  });
}

function rateKey(request: FastifyRequest): string {
  const key = bearerFrom(request.headers.authorization) ?? sessionKeyFrom(request);
  return key ? `key:${createHash('sha256').update(key).digest('hex')}` : `ip:${request.ip}`;
}

const REDIS_WARN_EVERY_MS = 60_000;

/**
 * The Redis connection for shared rate-limit counters. A limiter must never hold a request: while
 * disconnected, commands fail at once (no offline queue, no retries) and a stalled server times out
 * in 1 s; `skipOnError` then lets the request through. It keeps reconnecting in the background.
 */
async function rateLimitRedis(app: FastifyInstance, url: string): Promise<Redis> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectionName: 'pipelit-rate-limit',
    connectTimeout: 2000,
    commandTimeout: 1000,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (times) => Math.min(times * 500, 5000),
  });
  let warnedAt = 0;
  client.on('error', (err: Error) => {
    // Fires on every failed reconnect attempt: report an outage, not each attempt.
    if (Date.now() - warnedAt < REDIS_WARN_EVERY_MS) return;
    warnedAt = Date.now();
    app.log.warn(
      { err: err.message, redis: redactRedisUrl(url) },
      'rate limit: Redis unavailable, requests are not rate-limited until it is back',
    );
  });
  app.addHook('onClose', async () => client.disconnect());
  // Wait for the first connection so the first requests are counted too; a failure is reported above.
  await client.connect().catch(() => {});
  return client;
}

async function securityPolicy(app: FastifyInstance): Promise<void> {
  const settings = app.services.settings;
  app.decorate('registeredRoutes', [] as RegisteredRoute[]);
  app.addHook('onRoute', (route: RouteOptions & { websocket?: boolean }) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      app.registeredRoutes.push({ method, url: route.url, websocket: !!route.websocket });
    }
  });

  const allowedHosts = settings.allowedHosts;
  app.addHook('onRequest', async (request) => {
    // The raw Host header: X-Forwarded-Host is not consulted (proxies pass the original Host on).
    if (!isAllowedHost(request.headers.host, allowedHosts)) throw badRequest('Invalid host header.');
  });

  const securityHeaders = helmet({
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        connectSrc: ["'self'", 'ws:', 'wss:'],
        imgSrc: ["'self'", 'data:'],
        styleSrc: ["'self'", "'unsafe-inline'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        // Plain-HTTP LAN installs must keep working; HSTS below handles TLS deployments.
        upgradeInsecureRequests: null,
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    hsts: false,
    // Cross-origin API use is governed by CORS; do not also block it with CORP.
    crossOriginResourcePolicy: false,
  });
  // Options are validated when it is built (above); applying it only sets headers.
  app.addHook('onRequest', (request, reply, done) => securityHeaders(request.raw, reply.raw, () => done()));
  app.addHook('onSend', async (request, reply) => {
    if (request.protocol === 'https') {
      reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
    }
  });

  const perKey = settings.rateLimitPerMinute;
  const perAddress = settings.rateLimitPerAddressPerMinute;
  if (perKey > 0 || perAddress > 0) {
    await app.register(rateLimit, {
      global: true,
      timeWindow: 60_000,
      keyGenerator: rateKey,
      // 0 switches one side off: a very large bound stands for "no limit".
      max: (_request, key) => {
        const limit = key.startsWith('key:') ? perKey : perAddress;
        return limit > 0 ? limit : Number.MAX_SAFE_INTEGER;
      },
      // Distributed mode: one counter per key/address across all server processes (see header).
      ...(settings.redisUrl
        ? {
            redis: await rateLimitRedis(app, settings.redisUrl),
            // Deployments sharing one Redis (PIPELIT_QUEUE_PREFIX) stay apart.
            nameSpace: `${settings.queuePrefix}:rate-limit:`,
            skipOnError: true,
          }
        : {}),
      errorResponseBuilder: (_request, context) =>
        new AppError(429, `Rate limit exceeded. Retry in ${context.after}.`, 'RATE_LIMITED'),
    });
  }
}

/** The policy as a root-level plugin (its hooks apply to every route registered after it). */
export const securityPolicyPlugin = Object.assign(securityPolicy, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: 'pipelit-security-policy',
});
