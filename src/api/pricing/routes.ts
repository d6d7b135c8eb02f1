/**
 * Model prices (`/api/v1/pricing/`, admin only): GET the effective table (built-in + overrides),
 * PUT a list of overrides `{model_prefix, input_per_million, output_per_million}` that replaces the
 * stored overrides.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { recordAuditEvent } from '../../audit/record-audit-event.js';
import { nowIso } from '../../db/values.js';
import { DEFAULT_PRICING, loadPriceTable } from '../../llm/pricing.js';
import { requireAdmin, requireAuthentication } from '../guards.js';
import { validate } from '../validate.js';

const ZPrice = z.object({
  model_prefix: z.string().trim().toLowerCase().min(1).max(255),
  input_per_million: z.number().min(0).max(1_000_000),
  output_per_million: z.number().min(0).max(1_000_000),
});
const ZPut = z.object({ items: z.array(ZPrice).max(1000) });

export async function pricingRoutes(app: FastifyInstance): Promise<void> {
  requireAuthentication(app);
  const { db } = app.services.database;

  const view = async () => {
    const overrides = await db.selectFrom('model_pricing').selectAll().orderBy('model_prefix').execute();
    return {
      items: (await loadPriceTable(db)).sort((a, b) => a.model_prefix.localeCompare(b.model_prefix)),
      overrides: overrides.map((o) => ({
        model_prefix: o.model_prefix,
        input_per_million: Number(o.input_per_million),
        output_per_million: Number(o.output_per_million),
        updated_at: o.updated_at,
      })),
      defaults: DEFAULT_PRICING,
    };
  };

  app.get('/', async (request) => {
    requireAdmin(request);
    return view();
  });

  app.put('/', async (request) => {
    const admin = requireAdmin(request);
    const { items } = validate(ZPut, request.body);
    const now = nowIso();
    await db.transaction().execute(async (trx) => {
      await trx.deleteFrom('model_pricing').execute();
      const unique = new Map(items.map((i) => [i.model_prefix, i]));
      for (const item of unique.values())
        await trx
          .insertInto('model_pricing')
          .values({ ...item, updated_at: now })
          .execute();
    });
    await recordAuditEvent(
      db,
      {
        actor_user_id: admin.id,
        action: 'pricing.updated',
        target: 'pricing',
        ip: request.ip,
        details: { count: items.length },
      },
      request.log,
    );
    return view();
  });
}
