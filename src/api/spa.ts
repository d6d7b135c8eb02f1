/**
 * Serves the built SPA (`web/dist`) when it exists: files as they are, and `index.html` for every
 * other GET that is not an API, WebSocket or health path, so deep links work.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

const API_PREFIXES = ['/api/', '/ws', '/health', '/metrics'];

export async function registerSpa(app: FastifyInstance, distPath: string): Promise<boolean> {
  if (!existsSync(join(distPath, 'index.html'))) return false;
  await app.register(fastifyStatic, { root: distPath, wildcard: false, index: false });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    const isApi = API_PREFIXES.some((p) => path === p.replace(/\/$/, '') || path.startsWith(p));
    if (request.method !== 'GET' || isApi) return reply.status(404).send({ detail: 'Not Found' });
    return reply.type('text/html').sendFile('index.html');
  });
  return true;
}
