/**
 * What an AI node reads about itself at run time: its workflow (owner, budgets), its execution
 * (user, depth), and the sub-component nodes wired into it — model (`llm` edge), tools (`tool` and
 * legacy `memory` edges), output parser and skills. Sub-components are never scheduled; they are
 * found here by their edges.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { type GraphNode, parseNodeConfig } from '../engine/graph.js';
import type { Services } from '../services.js';

export interface AiNodeContext {
  deps: Services;
  db: Kysely<Database>;
  workflow: {
    id: number;
    slug: string;
    ownerId: number;
    budgetTokens: number | null;
    budgetUsd: number | null;
  };
  execution: { id: string; userId: number | null; depth: number; threadId: string };
  nodeId: string;
  model: GraphNode | null;
  tools: GraphNode[];
  outputParser: GraphNode | null;
  skills: GraphNode[];
}

function toGraphNode(n: {
  id: number;
  node_id: string;
  component_type: string;
  label: string | null;
  config: string;
  subworkflow_id: number | null;
}): GraphNode {
  return {
    dbId: n.id,
    nodeId: n.node_id,
    componentType: n.component_type,
    label: n.label,
    isEntryPoint: false,
    interruptBefore: false,
    interruptAfter: false,
    config: parseNodeConfig(n.config),
    subworkflowId: n.subworkflow_id,
  };
}

export async function loadAiNodeContext(
  deps: Services,
  executionId: string,
  workflowSlug: string,
  nodeId: string,
): Promise<AiNodeContext> {
  const db = deps.database.db;
  const wf = await db
    .selectFrom('workflows')
    .selectAll()
    .where('slug', '=', workflowSlug)
    .executeTakeFirstOrThrow();
  const exec = await db
    .selectFrom('executions')
    .select(['user_id', 'depth', 'thread_id'])
    .where('execution_id', '=', executionId)
    .executeTakeFirst();
  const edges = await db
    .selectFrom('workflow_edges')
    .select(['source_node_id', 'edge_label'])
    .where('workflow_id', '=', wf.id)
    .where('target_node_id', '=', nodeId)
    .where('edge_label', 'in', ['llm', 'tool', 'memory', 'output_parser', 'skill'])
    .orderBy('priority')
    .orderBy('id')
    .execute();
  const sources = [...new Set(edges.map((e) => e.source_node_id))];
  const nodes = sources.length
    ? await db
        .selectFrom('workflow_nodes')
        .select(['id', 'node_id', 'component_type', 'label', 'config', 'subworkflow_id'])
        .where('workflow_id', '=', wf.id)
        .where('node_id', 'in', sources)
        .execute()
    : [];
  const byId = new Map(nodes.map((n) => [n.node_id, toGraphNode(n)]));
  const pick = (labels: string[]) =>
    edges.filter((e) => labels.includes(e.edge_label)).flatMap((e) => byId.get(e.source_node_id) ?? []);
  const model = pick(['llm']).find((n) => n.componentType === 'ai_model') ?? null;
  return {
    deps,
    db,
    workflow: {
      id: wf.id,
      slug: wf.slug,
      ownerId: wf.owner_id,
      budgetTokens: wf.budget_tokens ?? null,
      budgetUsd: wf.budget_usd === null || wf.budget_usd === undefined ? null : Number(wf.budget_usd),
    },
    execution: {
      id: executionId,
      userId: exec?.user_id ?? null,
      depth: exec?.depth ?? 0,
      threadId: exec?.thread_id ?? '',
    },
    nodeId,
    model,
    tools: pick(['tool', 'memory']),
    outputParser: pick(['output_parser']).find((n) => n.componentType === 'output_parser') ?? null,
    skills: pick(['skill']),
  };
}
