/**
 * Serves the built SPA (`web/dist`) when it exists: files as they are, and `index.html` for every
 * other GET that is not an API, WebSocket or health path, so deep links work. The fallback is a
 * catch-all GET route (not a not-found handler: the error handler owns that one); API paths it
 * catches still answer the JSON 404.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

const API_PREFIXES = ['/api/', '/ws', '/health', '/metrics'];

export async function registerSpa(app: FastifyInstance, distPath: string): Promise<boolean> {
  if (!existsSync(join(distPath, 'index.html'))) return false;
  await app.register(fastifyStatic, { root: distPath, wildcard: false, index: false });
  app.get('/*', (request, reply) => {
    const path = request.url.split('?')[0];
    const isApi = API_PREFIXES.some((p) => path === p.replace(/\/$/, '') || path.startsWith(p));
    if (isApi) return reply.status(404).send({ detail: 'Not Found' });
    // The shell must never be cached: it names the current hashed bundles.
    return reply.header('cache-control', 'no-cache').type('text/html').sendFile('index.html');
  });
  return true;
}
