/**
 * `/api/v1/workflows`: workflows by slug, their nodes and edges (`nodes-edges.ts`), validation and the
 * YAML DSL. `GET /node-types/` needs no key (as the reference); everything else does. Normal users
 * see only their own workflows (others' → 404), admins all.
 *
 * Export answers `application/yaml` text; import takes `{yaml_str, slug?}` and answers 201 WorkflowOut,
 * or 422 `{"detail":{"errors":["line N: …", …]}}` with every problem and nothing created.
 */
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { AuthUser } from '../../auth/verify-api-key.js';
import type { Database } from '../../db/schema.js';
import { nowIso, toInt, toJson } from '../../db/values.js';
import { conflict, unprocessable } from '../../errors.js';
import { publishEditingEvent } from '../../realtime/events.js';
import { SAVE_POLICIES } from '../../retention/save-policy.js';
import { compileDsl } from '../../workflows/dsl/compile.js';
import { exportWorkflowYaml } from '../../workflows/dsl/export.js';
import { persistPlan } from '../../workflows/dsl/persist.js';
import { validateWorkflowGraph } from '../../workflows/edge-validation.js';
import {
  countsFor,
  findVisibleWorkflow,
  findVisibleWorkflowById,
  loadWorkflowDetail,
  workflowOutFor,
} from '../../workflows/graph.js';
import { workflowOut } from '../../workflows/out.js';
import { SLUG_PATTERN, slugify, uniqueSlug } from '../../workflows/slug.js';
import { deleteWorkflows } from '../../workflows/write.js';
import { currentUser, requireAuthentication } from '../guards.js';
import { ZPage } from '../pagination.js';
import { validate } from '../validate.js';
import { nodeTypesResponse } from './node-types.js';
import { nodesEdgesRoutes } from './nodes-edges.js';

const ZSlug = z.string().max(255).regex(SLUG_PATTERN, 'Slug must match ^[a-z0-9][a-z0-9-_]*$');
const ZJsonish = z.unknown().nullable().optional();

const ZWorkflowIn = z.object({
  name: z.string().trim().min(1).max(255),
  slug: ZSlug.optional(),
  description: z.string().default(''),
  is_active: z.boolean().default(true),
  is_public: z.boolean().default(false),
  is_default: z.boolean().default(false),
  tags: z.array(z.string().max(100)).nullable().optional(),
  error_handler_workflow_id: z.number().int().positive().nullable().optional(),
  max_execution_seconds: z.number().int().positive().default(600),
  input_schema: ZJsonish,
  output_schema: ZJsonish,
});
const ZWorkflowUpdate = z.object({
  name: z.string().trim().min(1).max(255).optional(),
  slug: ZSlug.optional(),
  description: z.string().optional(),
  is_active: z.boolean().optional(),
  is_public: z.boolean().optional(),
  is_default: z.boolean().optional(),
  tags: z.array(z.string().max(100)).nullable().optional(),
  error_handler_workflow_id: z.number().int().positive().nullable().optional(),
  max_execution_seconds: z.number().int().positive().optional(),
  input_schema: ZJsonish,
  output_schema: ZJsonish,
  save_policy: z.enum(SAVE_POLICIES).optional(),
  /** Per-execution limits enforced before each LLM call (null = none). */
  budget_tokens: z.number().int().positive().nullable().optional(),
  budget_usd: z.number().positive().nullable().optional(),
});
const ZSlugParam = z.object({ slug: z.string().min(1).max(255) });
const ZBatch = z.object({ slugs: z.array(z.string()).max(1000) });
const ZYaml = z.object({ yaml_str: z.string().max(1_000_000), slug: ZSlug.optional() });

async function checkErrorHandler(
  db: Kysely<Database>,
  user: AuthUser,
  id: number | null | undefined,
  selfId?: number,
) {
  if (id === undefined || id === null) return;
  if (id === selfId) throw unprocessable('A workflow cannot be its own error handler.');
  if (!(await findVisibleWorkflowById(db, user, id))) {
    throw unprocessable(`error_handler_workflow_id ${id}: workflow not found.`);
  }
}

export async function workflowsRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.services.database;
  const bus = app.services.bus;

  app.get('/node-types', async () => nodeTypesResponse());

  await app.register(async (scope) => {
    requireAuthentication(scope);

    scope.get('/', async (request) => {
      const user = currentUser(request);
      const page = validate(ZPage, request.query, 'query');
      let base = db.selectFrom('workflows');
      if (user.role !== 'admin') base = base.where('owner_id', '=', user.id);
      const total = await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
      const rows = await base
        .selectAll()
        .orderBy('id', 'desc')
        .limit(page.limit)
        .offset(page.offset)
        .execute();
      const counts = await countsFor(
        db,
        rows.map((r) => toInt(r.id)),
      );
      return {
        items: rows.map((r) =>
          workflowOut(r, counts.get(toInt(r.id)) ?? { node_count: 0, edge_count: 0, trigger_count: 0 }),
        ),
        total: toInt(total?.n),
      };
    });

    scope.post('/', async (request, reply) => {
      const user = currentUser(request);
      const input = validate(ZWorkflowIn, request.body);
      await checkErrorHandler(db, user, input.error_handler_workflow_id);
      const slug = await uniqueSlug(db, input.slug ?? slugify(input.name));
      const now = nowIso();
      const { id } = await db
        .insertInto('workflows')
        .values({
          owner_id: user.id,
          name: input.name,
          slug,
          description: input.description,
          is_active: input.is_active,
          is_public: input.is_public,
          is_default: input.is_default,
          tags: input.tags ? toJson(input.tags) : null,
          error_handler_workflow_id: input.error_handler_workflow_id ?? null,
          max_execution_seconds: input.max_execution_seconds,
          input_schema: input.input_schema == null ? null : toJson(input.input_schema),
          output_schema: input.output_schema == null ? null : toJson(input.output_schema),
          created_at: now,
          updated_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const row = await db.selectFrom('workflows').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      await publishEditingEvent(bus, slug, 'workflow_created', { slug, name: row.name });
      reply.status(201);
      return workflowOutFor(db, row);
    });

    scope.post('/batch-delete', async (request, reply) => {
      const user = currentUser(request);
      const { slugs } = validate(ZBatch, request.body);
      if (slugs.length) {
        let query = db.selectFrom('workflows').select(['id', 'slug']).where('slug', 'in', slugs);
        if (user.role !== 'admin') query = query.where('owner_id', '=', user.id);
        const rows = await query.execute();
        await deleteWorkflows(
          db,
          rows.map((r) => toInt(r.id)),
        );
        for (const r of rows) await publishEditingEvent(bus, r.slug, 'workflow_deleted', { slug: r.slug });
      }
      return reply.status(204).send();
    });

    scope.post('/validate-dsl', async (request) => {
      const user = currentUser(request);
      const { yaml_str } = validate(ZYaml, request.body);
      const result = await compileDsl(db, user, yaml_str);
      return {
        valid: result.errors.length === 0,
        errors: result.errors,
        node_count: result.plan?.nodes.length ?? 0,
        edge_count: result.plan?.edges.length ?? 0,
      };
    });

    scope.post('/import', async (request, reply) => {
      const user = currentUser(request);
      const { yaml_str, slug } = validate(ZYaml, request.body);
      const result = await compileDsl(db, user, yaml_str);
      if (!result.plan || result.errors.length) throw unprocessable({ errors: result.errors });
      const row = await persistPlan(db, user, result.plan, slug);
      await publishEditingEvent(bus, row.slug, 'workflow_created', { slug: row.slug, name: row.name });
      reply.status(201);
      return workflowOutFor(db, row);
    });

    scope.get('/:slug', async (request) => {
      const { slug } = validate(ZSlugParam, request.params, 'path');
      const wf = await findVisibleWorkflow(db, currentUser(request), slug);
      const graph = await loadWorkflowDetail(db, toInt(wf.id));
      if (!graph) throw unprocessable('Workflow vanished.');
      return { ...graph.workflow, nodes: graph.nodes, edges: graph.edges };
    });

    scope.patch('/:slug', async (request) => {
      const user = currentUser(request);
      const { slug } = validate(ZSlugParam, request.params, 'path');
      const wf = await findVisibleWorkflow(db, user, slug);
      const input = validate(ZWorkflowUpdate, request.body);
      await checkErrorHandler(db, user, input.error_handler_workflow_id, toInt(wf.id));
      if (input.slug !== undefined && input.slug !== wf.slug) {
        const taken = await db
          .selectFrom('workflows')
          .select('id')
          .where('slug', '=', input.slug)
          .executeTakeFirst();
        if (taken) throw conflict(`Workflow with slug '${input.slug}' already exists.`);
      }
      const set: Record<string, unknown> = { updated_at: nowIso() };
      for (const key of [
        'name',
        'slug',
        'description',
        'is_active',
        'is_public',
        'is_default',
        'max_execution_seconds',
        'error_handler_workflow_id',
        'save_policy',
        'budget_tokens',
        'budget_usd',
      ] as const) {
        if (input[key] !== undefined) set[key] = input[key];
      }
      if (input.tags !== undefined) set.tags = input.tags === null ? null : toJson(input.tags);
      if (input.input_schema !== undefined)
        set.input_schema = input.input_schema === null ? null : toJson(input.input_schema);
      if (input.output_schema !== undefined)
        set.output_schema = input.output_schema === null ? null : toJson(input.output_schema);
      await db.updateTable('workflows').set(set).where('id', '=', wf.id).execute();
      const row = await db
        .selectFrom('workflows')
        .selectAll()
        .where('id', '=', wf.id)
        .executeTakeFirstOrThrow();
      const out = await workflowOutFor(db, row);
      await publishEditingEvent(bus, wf.slug, 'workflow_updated', out as unknown as Record<string, unknown>);
      return out;
    });

    scope.delete('/:slug', async (request, reply) => {
      const { slug } = validate(ZSlugParam, request.params, 'path');
      const wf = await findVisibleWorkflow(db, currentUser(request), slug);
      await deleteWorkflows(db, [toInt(wf.id)]);
      await publishEditingEvent(bus, wf.slug, 'workflow_deleted', { slug: wf.slug });
      return reply.status(204).send();
    });

    scope.post('/:slug/validate', async (request) => {
      const { slug } = validate(ZSlugParam, request.params, 'path');
      const wf = await findVisibleWorkflow(db, currentUser(request), slug);
      const graph = await loadWorkflowDetail(db, toInt(wf.id));
      const errors = graph ? validateWorkflowGraph(graph.nodes, graph.edges) : [];
      return { valid: errors.length === 0, errors };
    });

    scope.get('/:slug/export', async (request, reply) => {
      const { slug } = validate(ZSlugParam, request.params, 'path');
      const wf = await findVisibleWorkflow(db, currentUser(request), slug);
      const graph = await loadWorkflowDetail(db, toInt(wf.id));
      if (!graph) throw unprocessable('Workflow vanished.');
      reply.header('content-type', 'application/yaml; charset=utf-8');
      reply.header('content-disposition', `attachment; filename="${wf.slug}.yaml"`);
      return exportWorkflowYaml(graph);
    });

    await scope.register(nodesEdgesRoutes);
  });
}
