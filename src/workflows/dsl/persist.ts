/** Writes a compiled plan as a new workflow in one transaction (nothing is left behind on failure). */
import type { Kysely } from 'kysely';
import type { AuthUser } from '../../auth/verify-api-key.js';
import type { Database } from '../../db/schema.js';
import { nowIso, toJson } from '../../db/values.js';
import { conflict } from '../../errors.js';
import type { WorkflowRow } from '../out.js';
import { slugify, uniqueSlug } from '../slug.js';
import { insertEdge, insertNode } from '../write.js';
import type { GraphPlan } from './plan.js';

/** `slug`: explicit (409 when taken), else derived from the name with `-1`, `-2`… on collision. */
export async function persistPlan(
  db: Kysely<Database>,
  user: Pick<AuthUser, 'id'>,
  plan: GraphPlan,
  slug?: string,
): Promise<WorkflowRow> {
  return db.transaction().execute(async (trx) => {
    let finalSlug: string;
    if (slug) {
      const taken = await trx
        .selectFrom('workflows')
        .select('id')
        .where('slug', '=', slug)
        .executeTakeFirst();
      if (taken) throw conflict(`Workflow with slug '${slug}' already exists.`);
      finalSlug = slug;
    } else {
      finalSlug = await uniqueSlug(trx, slugify(plan.name));
    }
    const now = nowIso();
    const { id } = await trx
      .insertInto('workflows')
      .values({
        owner_id: user.id,
        name: plan.name,
        slug: finalSlug,
        description: plan.description,
        is_active: plan.is_active,
        is_public: false,
        is_default: false,
        tags: plan.tags ? toJson(plan.tags) : null,
        error_handler_workflow_id: null,
        forked_from_id: plan.forked_from_id,
        max_execution_seconds: plan.max_execution_seconds,
        input_schema: null,
        output_schema: null,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    for (const { path: _p, ...node } of plan.nodes) await insertNode(trx, id, node);
    for (const { path: _p, ...edge } of plan.edges) await insertEdge(trx, id, edge);
    return trx.selectFrom('workflows').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  });
}
