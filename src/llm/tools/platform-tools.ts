/**
 * Self-awareness tools: whoami, workflow_discover, workflow_create, system_health and the scheduler
 * tools. They act with the rights of the workflow's OWNER, never more.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { fromJson, toBool } from '../../db/values.js';
import { parseNodeConfig } from '../../engine/graph.js';
import { callPlatformApi } from './platform-api.js';
import { type AgentTool, obj, type ToolBuildContext, type ToolFactory } from './types.js';

const json = (v: unknown) => JSON.stringify(v);

async function ownerOf(b: ToolBuildContext) {
  return b.ai.db
    .selectFrom('users')
    .select(['id', 'role', 'username'])
    .where('id', '=', b.ai.workflow.ownerId)
    .executeTakeFirstOrThrow();
}

export const whoamiTool: ToolFactory = (b): AgentTool[] => [
  {
    name: 'whoami',
    description: 'Tell who you are: your workflow, your node, your configuration and how to modify yourself.',
    parameters: obj({}),
    nodeId: b.toolNode.nodeId,
    async execute() {
      const node = await b.ai.db
        .selectFrom('workflow_nodes')
        .select(['node_id', 'component_type', 'config'])
        .where('workflow_id', '=', b.ai.workflow.id)
        .where('node_id', '=', b.ai.nodeId)
        .executeTakeFirst();
      if (!node)
        return json({
          error: 'This tool is not attached to an agent.',
          hint: 'Connect it with a tool edge.',
        });
      const config = parseNodeConfig(node.config);
      const prompt = config.system_prompt ?? '';
      return json({
        identity: {
          workflow_slug: b.ai.workflow.slug,
          workflow_id: b.ai.workflow.id,
          node_id: node.node_id,
          component_type: node.component_type,
        },
        current_config: {
          system_prompt: prompt.length > 1000 ? `${prompt.slice(0, 1000)}...` : prompt,
          system_prompt_length: prompt.length,
          extra_config: config.extra_config,
        },
        self_modification: {
          endpoint: `/api/v1/workflows/${b.ai.workflow.slug}/nodes/${node.node_id}/`,
          method: 'PATCH',
          example_body: { config: { system_prompt: 'New instructions…' } },
          instructions: 'Use the platform_api tool to PATCH your own node configuration.',
        },
      });
    },
  },
];

const LEGACY_TOOLS = new Set([
  'run_command',
  'http_request',
  'web_search',
  'calculator',
  'datetime',
  'code_execute',
]);

async function discover(
  db: Kysely<Database>,
  b: ToolBuildContext,
  req: Record<string, unknown>,
  limit: number,
) {
  const owner = await ownerOf(b);
  let q = db.selectFrom('workflows').selectAll().where('id', '!=', b.ai.workflow.id);
  if (owner.role !== 'admin') q = q.where('owner_id', '=', owner.id);
  const workflows = (await q.execute()).filter((w) => toBool(w.is_active));
  const list = (k: string) => (Array.isArray(req[k]) ? (req[k] as unknown[]).map(String) : []);
  const wantTriggers = list('triggers');
  const wantTypes = list('node_types');
  const wantTools = list('tools');
  const wantTags = list('tags');
  const capability = typeof req.model_capability === 'string' ? req.model_capability.toLowerCase() : '';
  const description = typeof req.description === 'string' ? req.description.toLowerCase() : '';
  const matches = [];
  for (const wf of workflows) {
    const nodes = await db
      .selectFrom('workflow_nodes')
      .select(['node_id', 'component_type', 'config'])
      .where('workflow_id', '=', wf.id)
      .execute();
    const edges = await db
      .selectFrom('workflow_edges')
      .select(['source_node_id', 'edge_label'])
      .where('workflow_id', '=', wf.id)
      .execute();
    const triggers = nodes
      .filter(
        (n) =>
          n.component_type.startsWith('trigger_') &&
          edges.some((e) => e.source_node_id === n.node_id && !e.edge_label),
      )
      .map((n) => n.component_type.replace(/^trigger_/, ''));
    const tools = nodes.filter((n) => LEGACY_TOOLS.has(n.component_type)).map((n) => n.component_type);
    const models = nodes
      .filter((n) => n.component_type === 'ai_model')
      .map((n) => parseNodeConfig(n.config).model_name);
    const types = nodes
      .filter((n) => !n.component_type.startsWith('trigger_') && n.component_type !== 'ai_model')
      .map((n) => n.component_type);
    const tags = fromJson<string[]>(wf.tags, []) ?? [];
    const required = [
      ...wantTriggers.map((t) => ['t', t]),
      ...wantTypes.map((t) => ['n', t]),
      ...wantTools.map((t) => ['x', t]),
    ];
    if (capability) required.push(['m', capability]);
    const missing: string[] = [];
    let matched = 0;
    for (const [kind, item] of required) {
      const ok =
        kind === 't'
          ? triggers.includes(item)
          : kind === 'n'
            ? types.includes(item)
            : kind === 'x'
              ? tools.includes(item)
              : models.some((m) => m.toLowerCase().includes(item));
      if (ok) matched += 1;
      else missing.push(item);
    }
    const capabilityMatch = required.length ? matched / required.length : 1;
    const tagOverlap = wantTags.length
      ? wantTags.filter((t) => tags.includes(t)).length / new Set([...wantTags, ...tags]).size
      : 1;
    const stats = await db
      .selectFrom('executions')
      .select(['status'])
      .where('workflow_id', '=', wf.id)
      .where('status', 'in', ['completed', 'failed'])
      .execute();
    const completed = stats.filter((s) => s.status === 'completed').length;
    const successRate = stats.length ? completed / stats.length : 0.5;
    let score = 0.8 * capabilityMatch + 0.1 * tagOverlap + 0.1 * successRate;
    if (description && wf.description.toLowerCase().includes(description)) score = Math.min(1, score + 0.05);
    score = Math.round(score * 10_000) / 10_000;
    matches.push({
      workflow_id: wf.id,
      slug: wf.slug,
      name: wf.name,
      description: wf.description,
      tags,
      match_score: score,
      has_capabilities: { triggers, node_types: [...new Set(types)], tools, model_names: models },
      missing_capabilities: missing,
      recommendation: score >= 0.95 ? 'reuse' : score >= 0.5 ? 'fork_and_patch' : 'create_new',
      success_rate: successRate,
      execution_count: stats.length,
    });
  }
  matches.sort((a, b) => b.match_score - a.match_score);
  return { success: true, matches: matches.slice(0, limit), total_searched: workflows.length };
}

export const workflowDiscoverTool: ToolFactory = (b): AgentTool[] => [
  {
    name: 'workflow_discover',
    description:
      'Find existing workflows matching requirements (JSON: triggers, node_types, tools, tags, description, model_capability).',
    parameters: obj({ requirements: { type: 'string' }, limit: { type: 'integer' } }, ['requirements']),
    nodeId: b.toolNode.nodeId,
    async execute(args) {
      let req: Record<string, unknown>;
      try {
        req = JSON.parse(String(args.requirements ?? '{}'));
      } catch (err) {
        return `Invalid JSON: ${(err as Error).message}`;
      }
      const limit = Math.max(1, Math.min(50, Number(args.limit ?? 5) || 5));
      return json(await discover(b.ai.db, b, req, limit));
    },
  },
];

export const workflowCreateTool: ToolFactory = (b): AgentTool[] => [
  {
    name: 'workflow_create',
    description: 'Create a new workflow from a YAML DSL document (owned by your workflow owner).',
    parameters: obj({ dsl: { type: 'string' }, tags: { type: 'string' } }, ['dsl']),
    nodeId: b.toolNode.nodeId,
    async execute(args) {
      try {
        // Loaded lazily: the DSL reads the node registry, which imports the AI nodes and their tools.
        const { compileDsl } = await import('../../workflows/dsl/compile.js');
        const { persistPlan } = await import('../../workflows/dsl/persist.js');
        const owner = await ownerOf(b);
        const compiled = await compileDsl(b.ai.db, owner, String(args.dsl ?? ''));
        if (!compiled.plan || compiled.errors.length)
          return json({ success: false, errors: compiled.errors });
        const extra = String(args.tags ?? '')
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean);
        if (extra.length) compiled.plan.tags = [...new Set([...(compiled.plan.tags ?? []), ...extra])];
        const row = await persistPlan(b.ai.db, owner, compiled.plan);
        return json({
          success: true,
          workflow_id: row.id,
          slug: row.slug,
          node_count: compiled.plan.nodes.length,
          edge_count: compiled.plan.edges.length,
        });
      } catch (err) {
        return json({ success: false, error: (err as Error).message });
      }
    },
  },
];

export const systemHealthTool: ToolFactory = (b): AgentTool[] => [
  {
    name: 'check_system_health',
    description: 'Check the health of the platform: queue, workers, stuck and failed executions.',
    parameters: obj({}),
    nodeId: b.toolNode.nodeId,
    async execute() {
      const db = b.ai.db;
      const issues: Array<{ severity: string; check: string; detail: string }> = [];
      const queue = await b.ai.deps.queue.stats().catch(() => null);
      if (!queue) issues.push({ severity: 'critical', check: 'queues', detail: 'queue unreachable' });
      const stuckBefore = new Date(Date.now() - 15 * 60_000).toISOString();
      const stuck = await db
        .selectFrom('executions')
        .select(['execution_id', 'started_at'])
        .where('status', '=', 'running')
        .where('started_at', '<', stuckBefore)
        .execute();
      if (stuck.length)
        issues.push({
          severity: 'critical',
          check: 'stuck_executions',
          detail: `${stuck.length} running > 15 min`,
        });
      const since = new Date(Date.now() - 86_400_000).toISOString();
      const failed = await db
        .selectFrom('executions')
        .select(['error_message'])
        .where('status', '=', 'failed')
        .where('completed_at', '>=', since)
        .execute();
      const byMessage: Record<string, number> = {};
      for (const f of failed) {
        const key = (f.error_message ?? '').slice(0, 120);
        byMessage[key] = (byMessage[key] ?? 0) + 1;
      }
      if (failed.length > 5)
        issues.push({
          severity: 'warning',
          check: 'failed_executions',
          detail: `${failed.length} failures in 24 h`,
        });
      const summary = issues.some((i) => i.severity === 'critical')
        ? 'critical'
        : issues.length
          ? 'degraded'
          : 'healthy';
      return json({
        timestamp: new Date().toISOString(),
        summary,
        checks: {
          queues: queue ?? { error: 'unreachable' },
          stuck_executions: { count: stuck.length, items: stuck.slice(0, 10) },
          failed_executions: { count: failed.length, by_message: byMessage },
        },
        issues,
      });
    },
  },
];

/**
 * Five scheduler tools over the schedules API, called in-process as the workflow's owner — so they
 * reach only workflows and schedules the owner may (fix of §16.3 item 34).
 */
export const schedulerTools: ToolFactory = (b): AgentTool[] => {
  const api = async (method: string, path: string, body?: unknown) =>
    json(await callPlatformApi(b, method, path, body));
  const id = { schedule_id: { type: 'string' } };
  const tools: Array<Omit<AgentTool, 'nodeId'>> = [
    {
      name: 'create_schedule',
      description: 'Create a recurring schedule that runs a workflow every interval_seconds.',
      parameters: obj(
        {
          name: { type: 'string' },
          workflow_id: { type: 'integer' },
          interval_seconds: { type: 'integer' },
          description: { type: 'string' },
          trigger_node_id: { type: 'string' },
          total_repeats: { type: 'integer' },
          max_retries: { type: 'integer' },
          timeout_seconds: { type: 'integer' },
        },
        ['name', 'workflow_id', 'interval_seconds'],
      ),
      execute: (a) => api('POST', '/api/v1/schedules/', a),
    },
    {
      name: 'pause_schedule',
      description: 'Pause a schedule.',
      parameters: obj(id, ['schedule_id']),
      execute: (a) => api('POST', `/api/v1/schedules/${encodeURIComponent(String(a.schedule_id))}/pause/`),
    },
    {
      name: 'resume_schedule',
      description: 'Resume a paused schedule.',
      parameters: obj(id, ['schedule_id']),
      execute: (a) => api('POST', `/api/v1/schedules/${encodeURIComponent(String(a.schedule_id))}/resume/`),
    },
    {
      name: 'stop_schedule',
      description: 'Stop and delete a schedule.',
      parameters: obj(id, ['schedule_id']),
      execute: (a) => api('DELETE', `/api/v1/schedules/${encodeURIComponent(String(a.schedule_id))}/`),
    },
    {
      name: 'list_schedules',
      description: 'List schedules (optionally by status or workflow_id).',
      parameters: obj({
        status: { type: 'string' },
        workflow_id: { type: 'integer' },
        limit: { type: 'integer' },
      }),
      execute: (a) => {
        const q = new URLSearchParams();
        if (a.status) q.set('status', String(a.status));
        if (a.workflow_id) q.set('workflow_id', String(a.workflow_id));
        q.set('limit', String(Math.max(1, Math.min(100, Number(a.limit ?? 10) || 10))));
        return api('GET', `/api/v1/schedules/?${q}`);
      },
    },
  ];
  return tools.map((tool) => ({ ...tool, nodeId: b.toolNode.nodeId }));
};
