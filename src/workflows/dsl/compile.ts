/**
 * The YAML DSL compiler. Three forms:
 * - graph form (what export writes): header + `nodes:` + `edges:` lists;
 * - step form (the reference's create mode): `trigger` + `steps` (see `steps.ts`);
 * - fork form: `based_on: <slug>` + `patches: [...]`.
 * Every problem is reported at once with its line number; nothing is written here (see `persist.ts`).
 * Node configs are validated by the registry's schemas and edges by the edge validator.
 */
import type { Kysely } from 'kysely';
import { isNode, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import type { AuthUser } from '../../auth/verify-api-key.js';
import type { Database } from '../../db/schema.js';
import { toInt } from '../../db/values.js';
import { AppError } from '../../errors.js';
import { getNodeType } from '../../nodes/registry.js';
import { checkEdge } from '../edge-validation.js';
import { loadWorkflowDetail } from '../graph.js';
import { applyNodeConfig, defaultNodeConfig, ZNodeConfigIn } from '../node-config.js';
import type { NodeInsert } from '../write.js';
import { applyPatches } from './fork.js';
import { type GraphPlan, type PlannedEdge, type PlannedNode, Problems, type YamlPath } from './plan.js';
import { compileStep, edge, type StepContext, TRIGGER_ALIASES, triggerComponentType } from './steps.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface CompileResult {
  plan?: GraphPlan;
  /** `line N: message` strings; empty when the document is valid. */
  errors: string[];
}

type Viewer = Pick<AuthUser, 'id' | 'role'>;

export async function compileDsl(db: Kysely<Database>, user: Viewer, text: string): Promise<CompileResult> {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    return {
      errors: doc.errors.map(
        (e) => `line ${e.linePos?.[0]?.line ?? 1}: Parse error: Invalid YAML: ${e.message.split('\n')[0]}`,
      ),
    };
  }
  const lineOf = (path: YamlPath): number => {
    for (let p = path; ; p = p.slice(0, -1)) {
      const found = p.length ? doc.getIn(p, true) : doc.contents;
      if (isNode(found) && found.range) return lines.linePos(found.range[0]).line;
      if (!p.length) return 1;
    }
  };
  const problems = new Problems();
  const data = doc.toJS({ maxAliasCount: 100 }) as unknown;
  let plan: GraphPlan | undefined;
  if (!isObj(data)) problems.add([], 'Parse error: DSL must be a YAML mapping (dict)');
  else if (data.based_on !== undefined) plan = await compileFork(db, user, data, problems);
  else if (data.nodes !== undefined || data.edges !== undefined) plan = compileGraphForm(data, problems);
  else plan = compileStepForm(data, problems);
  if (plan) checkPlan(plan, problems);
  if (plan) await resolveSubworkflows(db, user, plan);
  const errors = problems.items.map((p) => ({ line: lineOf(p.path), message: p.message }));
  return { plan, errors: errors.map((e) => `line ${e.line}: ${e.message}`) };
}

function header(
  data: Obj,
  problems: Problems,
  name?: string,
): Omit<GraphPlan, 'nodes' | 'edges' | 'forked_from_id'> {
  const finalName = typeof data.name === 'string' && data.name.trim() ? data.name.trim() : name;
  if (!finalName) problems.add(['name'], 'Parse error: DSL requires a `name` field');
  if (
    data.tags !== undefined &&
    !(Array.isArray(data.tags) && data.tags.every((t) => typeof t === 'string'))
  ) {
    problems.add(['tags'], '`tags` must be a list of strings');
  }
  const max = data.max_execution_seconds ?? 600;
  if (!Number.isInteger(max) || (max as number) <= 0)
    problems.add(['max_execution_seconds'], '`max_execution_seconds` must be a positive integer');
  return {
    name: (finalName ?? '').slice(0, 255),
    description: typeof data.description === 'string' ? data.description : '',
    tags: Array.isArray(data.tags) ? (data.tags as string[]) : null,
    is_active: data.is_active !== false,
    max_execution_seconds: typeof max === 'number' && max > 0 ? Math.floor(max) : 600,
  };
}

function compileStepForm(data: Obj, problems: Problems): GraphPlan {
  const head = header(data, problems);
  const nodes: PlannedNode[] = [];
  const edges: PlannedEdge[] = [];
  let triggerName = 'none';
  if (typeof data.trigger === 'string') triggerName = data.trigger;
  else if (isObj(data.trigger) && typeof data.trigger.type === 'string') triggerName = data.trigger.type;
  else if (data.trigger !== undefined) problems.add(['trigger'], '`trigger` must be a name or {type}');
  const triggerType = triggerComponentType(triggerName);
  let triggerId: string | undefined;
  if (!triggerType) {
    problems.add(
      ['trigger'],
      `Parse error: Unknown trigger type '${triggerName}'. Valid: ${Object.keys(TRIGGER_ALIASES).join(', ')}`,
    );
  } else {
    triggerId = `${triggerType}_1`;
    const config = defaultNodeConfig();
    if (data.trigger_config !== undefined) {
      if (isObj(data.trigger_config)) config.trigger_config = data.trigger_config;
      else problems.add(['trigger_config'], '`trigger_config` must be a mapping');
    }
    nodes.push({
      node_id: triggerId,
      label: null,
      component_type: triggerType,
      is_entry_point: false,
      interrupt_before: false,
      interrupt_after: false,
      position_x: 0,
      position_y: 200,
      config,
      subworkflow_id: null,
      path: ['trigger'],
    });
  }
  if (!Array.isArray(data.steps)) {
    problems.add(data.steps === undefined ? [] : ['steps'], 'Parse error: DSL requires a `steps` list');
    return { ...head, forked_from_id: null, nodes, edges };
  }
  if (data.steps.length === 0) problems.add(['steps'], 'Parse error: `steps` must be a non-empty list');
  const ctx: StepContext = {
    problems,
    nodes,
    edges,
    ids: new Set(triggerId ? [triggerId] : []),
    model: data.model,
  };
  const compiled = data.steps.map((raw, i) =>
    compileStep(ctx, raw, ['steps', i], String(i + 1), i + 1, 300 * (i + 1), 200),
  );
  const claimed = new Set(compiled.flatMap((c) => c?.claims ?? []));
  let prev: string | undefined = triggerId;
  let prevIsSwitch = false;
  compiled.forEach((c, i) => {
    if (!c) return;
    if (i === 0) c.node.is_entry_point = true;
    if (prev && !prevIsSwitch && !claimed.has(c.node.node_id))
      edges.push(edge(prev, c.node.node_id, ['steps', i]));
    prev = c.exit;
    prevIsSwitch = c.node.component_type === 'switch';
  });
  return { ...head, forked_from_id: null, nodes, edges };
}

function compileGraphForm(data: Obj, problems: Problems): GraphPlan {
  const head = header(data, problems);
  const nodes: PlannedNode[] = [];
  const edges: PlannedEdge[] = [];
  if (!Array.isArray(data.nodes)) problems.add(['nodes'], '`nodes` must be a list');
  else {
    const seen = new Set<string>();
    data.nodes.forEach((raw, i) => {
      const path = ['nodes', i];
      if (!isObj(raw)) {
        problems.add(path, `Node ${i + 1} must be a mapping`);
        return;
      }
      const id = raw.node_id;
      const type = raw.component_type;
      if (typeof id !== 'string' || !/^[^/\s?#]+$/.test(id)) {
        problems.add([...path, 'node_id'], `Node ${i + 1} needs a node_id (no spaces, /, ? or #)`);
        return;
      }
      if (seen.has(id)) problems.add([...path, 'node_id'], `Duplicate node_id '${id}'`);
      seen.add(id);
      if (typeof type !== 'string') {
        problems.add(path, `Node '${id}' needs a component_type`);
        return;
      }
      const parsedConfig = ZNodeConfigIn.safeParse(raw.config ?? {});
      if (!parsedConfig.success) {
        for (const issue of parsedConfig.error.issues)
          problems.add(
            [...path, 'config', ...(issue.path as (string | number)[])],
            `Node '${id}': ${issue.message}`,
          );
      }
      const num = (v: unknown) => (typeof v === 'number' ? Math.round(v) : 0);
      const node: PlannedNode = {
        node_id: id,
        label: typeof raw.label === 'string' ? raw.label : null,
        component_type: type,
        is_entry_point: raw.is_entry_point === true,
        interrupt_before: raw.interrupt_before === true,
        interrupt_after: raw.interrupt_after === true,
        position_x: num(raw.position_x),
        position_y: num(raw.position_y),
        config: defaultNodeConfig(),
        subworkflow_id: null,
        path,
      };
      // Common fields go through the same routing as the API; extra_config is checked in checkPlan.
      const d = getNodeType(type);
      if (d && parsedConfig.success) {
        const { extra_config, ...rest } = parsedConfig.data;
        node.config = applyNodeConfig({ ...d, config: ZPassThrough, configMigrations: [] }, rest);
        node.config.extra_config = extra_config ?? {};
      }
      nodes.push(node);
    });
  }
  if (data.edges !== undefined && !Array.isArray(data.edges))
    problems.add(['edges'], '`edges` must be a list');
  else {
    ((data.edges as unknown[]) ?? []).forEach((raw, i) => {
      const path = ['edges', i];
      if (!isObj(raw) || typeof raw.source !== 'string') {
        problems.add(path, `Edge ${i + 1} needs a source`);
        return;
      }
      edges.push(
        edge(raw.source, typeof raw.target === 'string' ? raw.target : '', path, {
          edge_type: raw.type === 'conditional' ? 'conditional' : 'direct',
          edge_label: typeof raw.label === 'string' ? raw.label : '',
          condition_value: raw.condition_value === undefined ? '' : String(raw.condition_value),
          condition_mapping: isObj(raw.condition_mapping) ? raw.condition_mapping : null,
          priority: Number.isInteger(raw.priority) ? (raw.priority as number) : 0,
        }),
      );
      if (raw.type !== undefined && raw.type !== 'direct' && raw.type !== 'conditional')
        problems.add([...path, 'type'], `Unknown edge type '${String(raw.type)}'`);
    });
  }
  return { ...head, forked_from_id: null, nodes, edges };
}

const ZPassThrough = z.looseObject({});

async function compileFork(
  db: Kysely<Database>,
  user: Viewer,
  data: Obj,
  problems: Problems,
): Promise<GraphPlan | undefined> {
  if (typeof data.based_on !== 'string') {
    problems.add(['based_on'], 'Parse error: `based_on` must be a workflow slug string');
    return undefined;
  }
  if (!Array.isArray(data.patches)) {
    problems.add(
      data.patches === undefined ? [] : ['patches'],
      data.patches === undefined
        ? 'Parse error: Fork mode requires a `patches` list'
        : 'Parse error: `patches` must be a list',
    );
    return undefined;
  }
  let query = db.selectFrom('workflows').select('id').where('slug', '=', data.based_on);
  if (user.role !== 'admin') query = query.where('owner_id', '=', user.id);
  const source = await query.executeTakeFirst();
  const graph = source ? await loadWorkflowDetail(db, toInt(source.id)) : undefined;
  if (!graph) {
    problems.add(['based_on'], `Source workflow '${data.based_on}' not found`);
    return undefined;
  }
  const head = header(data, problems, `${graph.workflow.name} (fork)`);
  const nodes: PlannedNode[] = graph.nodes.map((n) => {
    const { llm_model_config_id: _l, input_template: _i, ...config } = n.config;
    const node: NodeInsert = {
      node_id: n.node_id,
      label: n.label,
      component_type: n.component_type,
      is_entry_point: n.is_entry_point,
      interrupt_before: n.interrupt_before,
      interrupt_after: n.interrupt_after,
      position_x: n.position_x,
      position_y: n.position_y,
      config,
      subworkflow_id: n.subworkflow_id,
    };
    return { ...node, path: ['based_on'] };
  });
  const edges: PlannedEdge[] = graph.edges.map((e) =>
    edge(e.source_node_id, e.target_node_id, ['based_on'], {
      edge_type: e.edge_type,
      edge_label: e.edge_label,
      condition_value: e.condition_value,
      condition_mapping: e.condition_mapping,
      priority: e.priority,
    }),
  );
  const plan: GraphPlan = {
    ...head,
    description: typeof data.description === 'string' ? data.description : graph.workflow.description,
    tags: Array.isArray(data.tags) ? head.tags : graph.workflow.tags,
    max_execution_seconds:
      data.max_execution_seconds === undefined
        ? graph.workflow.max_execution_seconds
        : head.max_execution_seconds,
    forked_from_id: graph.workflow.id,
    nodes,
    edges,
  };
  applyPatches(plan, data.patches, problems);
  return plan;
}

/** Validates every node's extra_config with its type's schema and every edge with the edge validator. */
function checkPlan(plan: GraphPlan, problems: Problems): void {
  const byId = new Map<string, PlannedNode>();
  for (const n of plan.nodes) {
    const d = getNodeType(n.component_type);
    if (!d) {
      problems.add(
        [...n.path, ...(n.path[0] === 'nodes' ? ['component_type'] : [])],
        `Node '${n.node_id}' has unknown component type '${n.component_type}'`,
      );
    } else {
      try {
        n.config = applyNodeConfig(d, { extra_config: n.config.extra_config }, { ...n.config }, [
          'extra_config',
        ]);
      } catch (err) {
        const issues =
          err instanceof AppError && Array.isArray(err.detail)
            ? (err.detail as { loc: (string | number)[]; msg: string }[])
            : [];
        for (const issue of issues)
          problems.add(n.path, `Node '${n.node_id}' config ${issue.loc.join('.')}: ${issue.msg}`);
      }
      if (d.type === 'human_confirmation') n.interrupt_before = true;
    }
    byId.set(n.node_id, n);
  }
  plan.edges.forEach((e, i) => {
    const problem = checkEdge(e, byId, plan.edges.slice(0, i));
    for (const msg of problem?.errors ?? [])
      problems.add(
        e.path,
        `Graph build error: Edge ${e.source_node_id} → ${e.target_node_id || '(none)'}: ${msg}`,
      );
  });
}

/** `workflow` nodes point at their target by id when the caller can see it. */
async function resolveSubworkflows(db: Kysely<Database>, user: Viewer, plan: GraphPlan): Promise<void> {
  for (const n of plan.nodes) {
    const target = n.component_type === 'workflow' ? n.config.extra_config.target_workflow : undefined;
    if (typeof target !== 'string' || !target) continue;
    let query = db.selectFrom('workflows').select('id').where('slug', '=', target);
    if (user.role !== 'admin') query = query.where('owner_id', '=', user.id);
    const row = await query.executeTakeFirst();
    n.subworkflow_id = row ? toInt(row.id) : null;
  }
}
