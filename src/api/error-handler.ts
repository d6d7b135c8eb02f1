/**
 * The one error handler: every failure leaves as `{"detail": ...}` with the right status.
 * 5xx answers carry a generic text; the real error goes to the log with method and URL.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError } from '../errors.js';

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    if (error instanceof AppError) {
      return reply.status(error.statusCode).send({ detail: error.detail });
    }
    if (error.code === 'FST_ERR_HANDLER_TIMEOUT') {
      request.log.warn({ method: request.method, url: redactUrl(request.url) }, 'request timed out');
      return reply.status(503).send({ detail: 'Request timed out.' });
    }
    const status = error.statusCode ?? 500;
    if (status < 500) {
      const detail =
        error.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
          ? 'Request body is too large.'
          : error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
            ? 'Unsupported content type.'
            : error.message;
      return reply.status(status).send({ detail });
    }
    request.log.error({ err: error, method: request.method, url: redactUrl(request.url) }, 'request failed');
    return reply.status(500).send({ detail: 'Internal server error.' });
  });

  app.setNotFoundHandler((_request, reply) => {
    reply.status(404).send({ detail: 'Not Found' });
  });
}

/** Removes secrets that may travel in query strings (webhook `api_key`, WebSocket `token`). */
export function redactUrl(url: string): string {
  return url.replace(/([?&](?:api_key|token|key)=)[^&#]*/gi, '$1[redacted]');
}
