/**
 * JSON body parsing. The reference client sends `Content-Type: application/json` on body-less POST and
 * DELETE requests, so an empty body is accepted as "no body". Malformed JSON is a 400 with a reason.
 */
import type { FastifyInstance } from 'fastify';
import { badRequest } from '../errors.js';

export function installJsonParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(/^application\/(.+\+)?json/, { parseAs: 'string' }, (_req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(badRequest(`Malformed JSON body: ${(err as Error).message}`), undefined);
    }
  });
}
