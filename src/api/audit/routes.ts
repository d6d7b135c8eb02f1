/** `/api/v1/audit`: the security audit log, admins only (`{items, total}`, newest first). */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { fromJson, toInt } from '../../db/values.js';
import { requireAdmin, requireAuthentication } from '../guards.js';
import { ZPage } from '../pagination.js';
import { validate } from '../validate.js';

const ZAuditQuery = ZPage.extend({
  action: z.string().min(1).max(64).optional(),
  user_id: z.coerce.number().int().positive().optional(),
});

export async function auditRoutes(app: FastifyInstance): Promise<void> {
  requireAuthentication(app);
  const { db } = app.services.database;

  app.get('/', async (request) => {
    requireAdmin(request);
    const q = validate(ZAuditQuery, request.query, 'query');
    let base = db.selectFrom('audit_events');
    if (q.action) base = base.where('action', '=', q.action);
    if (q.user_id) base = base.where('actor_user_id', '=', q.user_id);
    const { n } = await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    const rows = await base
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(q.limit)
      .offset(q.offset)
      .execute();
    return {
      items: rows.map((r) => ({ ...r, details: fromJson<Record<string, unknown>>(r.details, {}) })),
      total: toInt(n),
    };
  });
}
