/**
 * Writes a workflow graph straight into the database for engine tests (the editing API has its own
 * tests), and waits for executions to reach a status.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.js';
import { fromJson, nowIso, toJson } from '../../src/db/values.js';

export interface SeedNode {
  id: string;
  type: string;
  extra?: Record<string, unknown>;
  config?: Record<string, unknown>;
  interruptBefore?: boolean;
  interruptAfter?: boolean;
}

export interface SeedEdge {
  from: string;
  to: string;
  label?: string;
  when?: string;
}

export async function seedWorkflow(
  db: Kysely<Database>,
  ownerId: number,
  spec: {
    slug: string;
    nodes: SeedNode[];
    edges: SeedEdge[];
    maxSeconds?: number;
    errorHandlerId?: number | null;
  },
): Promise<number> {
  const now = nowIso();
  const wf = await db
    .insertInto('workflows')
    .values({
      owner_id: ownerId,
      name: spec.slug,
      slug: spec.slug,
      description: '',
      is_active: true,
      is_public: false,
      is_default: false,
      tags: null,
      error_handler_workflow_id: spec.errorHandlerId ?? null,
      forked_from_id: null,
      max_execution_seconds: spec.maxSeconds ?? 600,
      input_schema: null,
      output_schema: null,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (const n of spec.nodes) {
    await db
      .insertInto('workflow_nodes')
      .values({
        workflow_id: wf.id,
        node_id: n.id,
        label: null,
        component_type: n.type,
        is_entry_point: false,
        interrupt_before: n.interruptBefore ?? false,
        interrupt_after: n.interruptAfter ?? false,
        position_x: 0,
        position_y: 0,
        config: toJson({ extra_config: n.extra ?? {}, ...(n.config ?? {}) }),
        subworkflow_id: null,
        updated_at: now,
      })
      .execute();
  }
  for (const e of spec.edges) {
    await db
      .insertInto('workflow_edges')
      .values({
        workflow_id: wf.id,
        source_node_id: e.from,
        target_node_id: e.to,
        edge_type: e.when === undefined ? 'direct' : 'conditional',
        edge_label: e.label ?? '',
        condition_value: e.when ?? '',
        condition_mapping: null,
        priority: 0,
      })
      .execute();
  }
  return wf.id;
}

export async function waitForStatus(
  db: Kysely<Database>,
  executionId: string,
  statuses: string[],
  timeoutMs = 15_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = await db
      .selectFrom('executions')
      .selectAll()
      .where('execution_id', '=', executionId)
      .executeTakeFirst();
    if (row && statuses.includes(row.status)) return { ...row, final: fromJson<any>(row.final_output, null) };
    if (Date.now() > deadline)
      throw new Error(`execution ${executionId} is ${row?.status}, not ${statuses.join('/')}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function nodeRows(db: Kysely<Database>, executionId: string) {
  const rows = await db
    .selectFrom('execution_nodes')
    .selectAll()
    .where('execution_id', '=', executionId)
    .execute();
  return Object.fromEntries(
    rows.map((r) => [
      r.iteration ? `${r.node_id}@${r.iteration}` : r.node_id,
      { ...r, out: fromJson<any>(r.output, null) },
    ]),
  );
}
