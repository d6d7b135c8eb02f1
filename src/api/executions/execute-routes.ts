/**
 * Manual runs: `POST /api/v1/workflows/{slug}/execute/` starts the workflow's manual trigger (the given
 * one, or its first active one) — only on a workflow the caller may see (fix of the reference, which
 * checked no ownership and could start another workflow's trigger).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { toBool } from '../../db/values.js';
import { startExecution } from '../../engine/start-execution.js';
import { notFound, unprocessable } from '../../errors.js';
import { findTriggerNode, findVisibleWorkflow } from '../../workflows/graph.js';
import { currentUser, requireAuthentication } from '../guards.js';
import { validate } from '../validate.js';

const ZExecute = z.object({
  text: z.string().max(100_000).default(''),
  trigger_node_id: z.string().max(255).nullish(),
  payload: z.record(z.string(), z.unknown()).optional(),
});
const ZSlug = z.object({ slug: z.string().min(1).max(255) });

export async function executeRoutes(app: FastifyInstance): Promise<void> {
  requireAuthentication(app);
  const deps = app.services;
  const { db } = deps.database;

  app.post('/:slug/execute/', async (request) => {
    const user = currentUser(request);
    const { slug } = validate(ZSlug, request.params, 'path');
    const body = validate(ZExecute, request.body ?? {});
    const workflow = await findVisibleWorkflow(db, user, slug);
    if (!toBool(workflow.is_active)) throw unprocessable('Workflow is inactive.');
    const trigger = await findTriggerNode(db, workflow.id, 'trigger_manual', body.trigger_node_id);
    if (!trigger) {
      throw notFound(
        body.trigger_node_id ? 'Manual trigger node not found' : 'No trigger configured for manual execution',
      );
    }
    const row = await startExecution(deps, {
      workflowId: workflow.id,
      triggerNodeId: trigger.node_id,
      userId: user.id,
      payload: { text: body.text, ...(body.payload ? { payload: body.payload } : {}) },
    });
    return { execution_id: row.execution_id, status: row.status };
  });
}
