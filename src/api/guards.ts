/** Request guards for the authenticated scope. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sessionKeyFrom } from '../auth/session-cookie.js';
import { type AuthUser, bearerFrom, verifyApiKey } from '../auth/verify-api-key.js';
import { forbidden, unauthorized } from '../errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the authentication hook on every route of the authenticated scope. */
    user?: AuthUser;
  }
}

/** Adds key authentication (Bearer, or the web app's session cookie) to every route in `scope`. */
export function requireAuthentication(scope: FastifyInstance): void {
  scope.addHook('onRequest', async (request) => {
    const key = bearerFrom(request.headers.authorization) ?? sessionKeyFrom(request);
    request.user = await verifyApiKey(scope.services.database.db, key);
  });
}

/** The authenticated user (the hook guarantees it inside the authenticated scope). */
export function currentUser(request: FastifyRequest): AuthUser {
  if (!request.user) throw unauthorized();
  return request.user;
}

export function requireAdmin(request: FastifyRequest): AuthUser {
  const user = currentUser(request);
  if (user.role !== 'admin') throw forbidden('Admin access required.');
  return user;
}

export const isAdmin = (user: AuthUser) => user.role === 'admin';
