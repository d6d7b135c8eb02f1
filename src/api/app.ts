/**
 * `buildApp(services)` returns a ready Fastify instance with every route; the `serve` command only
 * listens, forks and shuts down. Tests build the same app and call it with `inject`.
 */
import cors from '@fastify/cors';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from '../logger.js';
import { metricsRoutes } from '../metrics/routes.js';
import { queueHealthProbes } from '../queue/health-probe.js';
import { type WebsocketOptions, websocketRoutes } from '../realtime/websocket.js';
import type { Services } from '../services.js';
import { auditRoutes } from './audit/routes.js';
import { mfaRoutes } from './auth/mfa-routes.js';
import { authPrivateRoutes, authPublicRoutes } from './auth/routes.js';
import { chatRoutes } from './chat/routes.js';
import { credentialsRoutes } from './credentials/routes.js';
import { installErrorHandler, redactUrl } from './error-handler.js';
import { executeRoutes } from './executions/execute-routes.js';
import { executionsRoutes } from './executions/routes.js';
import { gatewayInboundRoutes } from './gateway/inbound-routes.js';
import { healthRoutes } from './health/routes.js';
import { installJsonParser } from './json-body.js';
import { mcpRoutes } from './mcp/routes.js';
import { memoriesRoutes } from './memories/routes.js';
import { pricingRoutes } from './pricing/routes.js';
import { retentionRoutes } from './retention/routes.js';
import { nodeScheduleRoutes } from './schedules/node-schedule-routes.js';
import { schedulesRoutes } from './schedules/routes.js';
import { securityPolicyPlugin } from './security-policy.js';
import { settingsRoutes } from './settings/routes.js';
import { registerSpa } from './spa.js';
import { usersRoutes } from './users/routes.js';
import { webhooksRoutes } from './webhooks/routes.js';
import { workflowsRoutes } from './workflows/routes.js';
import { workspacesRoutes } from './workspaces/routes.js';

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
  }
}

export interface BuildAppOptions {
  /** Where one line per request goes (`--access-logfile`); none when omitted. */
  accessLog?: Logger;
  /** Bound on handling one request, in ms (`--timeout`); 0 disables. */
  requestTimeoutMs?: number;
  /** Heartbeat timings of the live socket (tests shorten them). */
  websocket?: WebsocketOptions;
  /** Serve the built SPA when it exists (default true). */
  serveSpa?: boolean;
}

/** A resource plugin mounted under `/api/v1`, added by later features without touching this file. */
export type RoutePlugin = { prefix: string; plugin: (app: FastifyInstance) => Promise<void> };

export async function buildApp(
  services: Services,
  options: BuildAppOptions = {},
  extraRoutes: RoutePlugin[] = [],
): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: services.log as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: services.settings.bodyLimitBytes,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500 },
    // `--timeout`: a handler still running after this long is answered 503 (see error-handler.ts).
    handlerTimeout: options.requestTimeoutMs || undefined,
    // Keep-alive sockets that are idle are closed at once on shutdown; busy ones finish first.
    forceCloseConnections: 'idle',
    trustProxy: services.settings.trustedProxies.length ? services.settings.trustedProxies : false,
    genReqId: () => Math.random().toString(36).slice(2, 10),
  });
  app.decorate('services', services);
  app.decorate('healthProbes', new Map());
  installJsonParser(app);
  installErrorHandler(app);

  // Host check, security headers, rate limits: before every route so they apply to all of them.
  await app.register(securityPolicyPlugin);
  await app.register(cors, {
    origin: services.settings.corsAllowAllOrigins ? true : services.settings.corsAllowedOrigins,
    credentials: false,
    methods: ['GET', 'POST', 'PATCH', 'PUT', 'DELETE', 'OPTIONS'],
  });

  if (options.accessLog) {
    const access = options.accessLog;
    app.addHook('onResponse', async (request, reply) => {
      access.info(
        {
          method: request.method,
          url: redactUrl(request.url),
          status: reply.statusCode,
          ms: Math.round(reply.elapsedTime),
          ip: request.ip,
        },
        'access',
      );
    });
  }

  // Before the routes: its onResponse hook counts every request (route template, status).
  await app.register(metricsRoutes);
  await app.register(healthRoutes);
  await app.register(queueHealthProbes);
  await app.register(websocketRoutes, options.websocket ?? {});
  await app.register(authPublicRoutes, { prefix: '/api/v1/auth' });
  await app.register(authPrivateRoutes, { prefix: '/api/v1/auth' });
  await app.register(mfaRoutes, { prefix: '/api/v1/auth' });
  await app.register(auditRoutes, { prefix: '/api/v1/audit' });
  await app.register(usersRoutes, { prefix: '/api/v1/users' });
  await app.register(workflowsRoutes, { prefix: '/api/v1/workflows' });
  await app.register(settingsRoutes, { prefix: '/api/v1/settings' });
  await app.register(executeRoutes, { prefix: '/api/v1/workflows' });
  await app.register(executionsRoutes, { prefix: '/api/v1/executions' });
  await app.register(webhooksRoutes, { prefix: '/api/v1/webhooks' });
  await app.register(retentionRoutes, { prefix: '/api/v1/retention' });
  await app.register(schedulesRoutes, { prefix: '/api/v1/schedules' });
  await app.register(nodeScheduleRoutes, { prefix: '/api/v1/workflows' });
  await app.register(credentialsRoutes, { prefix: '/api/v1/credentials' });
  await app.register(pricingRoutes, { prefix: '/api/v1/pricing' });
  await app.register(chatRoutes, { prefix: '/api/v1/workflows' });
  await app.register(gatewayInboundRoutes, { prefix: '/api/v1' });
  await app.register(memoriesRoutes, { prefix: '/api/v1/memories' });
  await app.register(workspacesRoutes, { prefix: '/api/v1/workspaces' });
  await app.register(mcpRoutes, { prefix: '/mcp' });
  for (const route of extraRoutes) await app.register(route.plugin, { prefix: route.prefix });

  if (options.serveSpa !== false) await registerSpa(app, services.settings.frontendDistPath);
  await app.ready();
  return app;
}
