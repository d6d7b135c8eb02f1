/**
 * The step form of the DSL (spec §12.1): `trigger` + `steps`, compiled into nodes and edges. Step types
 * come from the registry (plus the aliases `human` and `transform`); inline tools are the registry's
 * tool types.
 */
import type { NodeDescriptor } from '../../nodes/define-node.js';
import { allNodeTypes, getNodeType } from '../../nodes/registry.js';
import { subComponentKind } from '../edge-validation.js';
import { defaultNodeConfig } from '../node-config.js';
import type { PlannedEdge, PlannedNode, Problems, YamlPath } from './plan.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export const TRIGGER_ALIASES: Record<string, string> = {
  telegram: 'trigger_telegram',
  chat: 'trigger_chat',
  manual: 'trigger_manual',
  schedule: 'trigger_schedule',
  error: 'trigger_error',
  workflow: 'trigger_workflow',
  none: 'trigger_workflow',
  webhook: 'trigger_webhook',
};
const STEP_ALIASES: Record<string, string> = { human: 'human_confirmation', transform: 'code' };

/** Component type of a step type, or undefined. Any registered executable, non-trigger type is a step. */
export function stepComponentType(stepType: string): string | undefined {
  const type = STEP_ALIASES[stepType] ?? stepType;
  const d = getNodeType(type);
  if (!d || d.flags.trigger || d.flags.subComponent) return undefined;
  return type;
}
export const validStepTypes = () =>
  [
    ...Object.keys(STEP_ALIASES),
    ...allNodeTypes()
      .filter((d) => !d.flags.trigger && !d.flags.subComponent)
      .map((d) => d.type),
  ].sort();
export const inlineToolTypes = () =>
  allNodeTypes()
    .filter((d) => subComponentKind(d) === 'tool')
    .map((d) => d.type);

export function triggerComponentType(name: string): string | undefined {
  const type = TRIGGER_ALIASES[name] ?? name;
  return getNodeType(type)?.flags.trigger ? type : undefined;
}

const stripFences = (code: string) => code.replace(/^\s*```[\w-]*\n?/, '').replace(/\n?```\s*$/, '');

export interface StepContext {
  problems: Problems;
  nodes: PlannedNode[];
  edges: PlannedEdge[];
  ids: Set<string>;
  /** Workflow-level model spec. */
  model: unknown;
}

const node = (
  component_type: string,
  node_id: string,
  path: YamlPath,
  x: number,
  y: number,
): PlannedNode => ({
  node_id,
  label: null,
  component_type,
  is_entry_point: false,
  interrupt_before: false,
  interrupt_after: false,
  position_x: x,
  position_y: y,
  config: defaultNodeConfig(),
  subworkflow_id: null,
  path,
});
export const edge = (
  source: string,
  target: string,
  path: YamlPath,
  extra: Partial<PlannedEdge> = {},
): PlannedEdge => ({
  source_node_id: source,
  target_node_id: target,
  edge_type: 'direct',
  edge_label: '',
  condition_value: '',
  condition_mapping: null,
  priority: 0,
  path,
  ...extra,
});

/** Adds a model node + `llm` edge for an AI step from `{credential_id, model_name, temperature}`. */
function addModel(ctx: StepContext, spec: unknown, parent: PlannedNode, path: YamlPath): void {
  if (spec === undefined || spec === null) return;
  if (!isObj(spec)) {
    ctx.problems.add(path, 'Model resolution error: model must be a mapping');
    return;
  }
  for (const mode of ['inherit', 'discover', 'capability']) {
    if (spec[mode] !== undefined && spec[mode] !== false) {
      ctx.problems.add(
        path,
        `Model resolution error: model '${mode}' is not available yet; use {credential_id, model_name, temperature}`,
      );
      return;
    }
  }
  if (typeof spec.credential_id !== 'number' || typeof spec.model_name !== 'string' || !spec.model_name) {
    ctx.problems.add(
      path,
      'Model resolution error: model needs credential_id (number) and model_name (string)',
    );
    return;
  }
  const id = `ai_model_${parent.node_id}`;
  const m = node('ai_model', id, path, parent.position_x, parent.position_y + 150);
  m.config.llm_credential_id = spec.credential_id;
  m.config.model_name = spec.model_name;
  if (typeof spec.temperature === 'number') m.config.temperature = spec.temperature;
  ctx.nodes.push(m);
  ctx.edges.push(edge(id, parent.node_id, path, { edge_label: 'llm' }));
}

/** Inline tools (`tools:`) of an agent step. */
export function addTools(
  ctx: StepContext,
  tools: unknown,
  parent: PlannedNode,
  path: YamlPath,
  idFor?: (type: string, n: number) => string,
): void {
  if (tools === undefined) return;
  if (!Array.isArray(tools)) {
    ctx.problems.add(path, '`tools` must be a list');
    return;
  }
  const valid = inlineToolTypes();
  tools.forEach((tool, i) => {
    const p = [...path, i];
    const type = typeof tool === 'string' ? tool : isObj(tool) ? tool.type : undefined;
    if (typeof type !== 'string' || !valid.includes(type)) {
      ctx.problems.add(p, `Unknown inline tool type '${String(type)}'. Valid: ${valid.join(', ')}`);
      return;
    }
    const extra: Obj = isObj(tool) ? { ...tool } : {};
    delete extra.type;
    if (Object.values(extra).includes('inherit')) {
      ctx.problems.add(p, "Tool config 'inherit' is not available yet");
      return;
    }
    const id = idFor ? idFor(type, i + 1) : `${type}_${parent.node_id}_${i + 1}`;
    const t = node(type, id, p, parent.position_x + 120 * i, parent.position_y + 300);
    t.config.extra_config = extra;
    ctx.nodes.push(t);
    ctx.edges.push(edge(id, parent.node_id, p, { edge_label: 'tool' }));
  });
}

function addSkills(ctx: StepContext, skills: unknown, parent: PlannedNode, path: YamlPath): void {
  if (skills === undefined) return;
  if (!Array.isArray(skills)) {
    ctx.problems.add(path, '`skills` must be a list');
    return;
  }
  skills.forEach((s, i) => {
    const p = [...path, i];
    const skillPath = typeof s === 'string' ? s : isObj(s) ? s.path : undefined;
    if (typeof skillPath !== 'string') {
      ctx.problems.add(p, 'A skill is a path or {path, source}');
      return;
    }
    const id = `skill_${parent.node_id}_${i + 1}`;
    const k = node('skill', id, p, parent.position_x - 120 * (i + 1), parent.position_y + 300);
    k.config.extra_config = {
      skill_path: skillPath,
      ...(isObj(s) && s.source ? { skill_source: s.source } : {}),
    };
    ctx.nodes.push(k);
    ctx.edges.push(edge(id, parent.node_id, p, { edge_label: 'skill' }));
  });
}

/** Reads `over: "{{ node.field }}"` or `node.field` (no dot → field `output`). */
function parseOver(over: string): { source_node: string; field: string } {
  const inner = over
    .trim()
    .replace(/^\{\{\s*/, '')
    .replace(/\s*\}\}$/, '');
  const dot = inner.indexOf('.');
  return dot < 0
    ? { source_node: inner, field: 'output' }
    : { source_node: inner.slice(0, dot), field: inner.slice(dot + 1) };
}

export interface CompiledStep {
  node: PlannedNode;
  /** Step ids claimed as switch route/default targets (they get no chain edge). */
  claims: string[];
  /** Where the chain continues from. */
  exit: string;
}

/**
 * Compiles one step (and, for loops, its body) into `ctx`. Returns undefined when the step is too
 * broken to place.
 */
export function compileStep(
  ctx: StepContext,
  raw: unknown,
  path: YamlPath,
  label: string,
  fallbackIndex: number,
  x: number,
  y: number,
): CompiledStep | undefined {
  if (!isObj(raw)) {
    ctx.problems.add(path, `Step ${label} must be a mapping`);
    return undefined;
  }
  if (typeof raw.type !== 'string' || !raw.type) {
    ctx.problems.add(path, `Step ${label} missing \`type\` field`);
    return undefined;
  }
  const type = stepComponentType(raw.type);
  if (!type) {
    ctx.problems.add(
      [...path, 'type'],
      `Unknown step type '${raw.type}' in step ${label}. Valid: ${validStepTypes().join(', ')}`,
    );
    return undefined;
  }
  const d = getNodeType(type) as NodeDescriptor;
  const id = typeof raw.id === 'string' && raw.id ? raw.id : `${type}_${fallbackIndex}`;
  if (ctx.ids.has(id))
    ctx.problems.add(
      raw.id !== undefined ? [...path, 'id'] : path,
      `Duplicate step ID '${id}' in step ${label}`,
    );
  ctx.ids.add(id);
  const n = node(type, id, path, x, y);
  if (typeof raw.label === 'string') n.label = raw.label;
  const extra: Obj = isObj(raw.config) ? { ...raw.config } : {};
  const claims: string[] = [];
  let exit = id;
  const prompt = raw.prompt ?? raw.system_prompt;
  if (typeof prompt === 'string') n.config.system_prompt = prompt;

  switch (raw.type) {
    case 'code': {
      const code = raw.snippet ?? raw.code ?? extra.code;
      if (typeof code === 'string') extra.code = stripFences(code);
      if (typeof raw.language === 'string') extra.language = raw.language;
      break;
    }
    case 'transform':
      if (typeof raw.template === 'string') extra.code = `return ${JSON.stringify(raw.template)};`;
      break;
    case 'reply_chat': {
      const message = raw.message ?? raw.template;
      if (typeof message === 'string') extra.message = message;
      break;
    }
    case 'switch': {
      const rules = Array.isArray(raw.rules) ? raw.rules : [];
      extra.rules = rules.map((r, i) => {
        const rule = isObj(r) ? r : {};
        const route = typeof rule.route === 'string' ? rule.route : '';
        if (!route) ctx.problems.add([...path, 'rules', i], 'Switch rule needs a `route` (target step id)');
        else {
          claims.push(route);
          ctx.edges.push(
            edge(id, route, [...path, 'rules', i, 'route'], {
              edge_type: 'conditional',
              condition_value: route,
            }),
          );
        }
        return {
          id: route,
          field: rule.field ?? '',
          operator: rule.operator ?? 'equals',
          ...(rule.value !== undefined ? { value: rule.value } : {}),
        };
      });
      if (typeof raw.default === 'string' && raw.default) {
        extra.enable_fallback = true;
        claims.push(raw.default);
        ctx.edges.push(
          edge(id, raw.default, [...path, 'default'], {
            edge_type: 'conditional',
            condition_value: '__other__',
          }),
        );
      }
      break;
    }
    case 'assertion':
    case 'filter':
      if (raw.rules !== undefined) extra.rules = raw.rules;
      for (const key of ['source_node', 'field']) if (raw[key] !== undefined) extra[key] = raw[key];
      break;
    case 'merge':
      for (const key of ['mode', 'source_nodes']) if (raw[key] !== undefined) extra[key] = raw[key];
      break;
    case 'wait':
      if (raw.duration !== undefined || raw.delay !== undefined) extra.duration = raw.duration ?? raw.delay;
      if (raw.unit !== undefined || raw.delay_unit !== undefined) extra.unit = raw.unit ?? raw.delay_unit;
      break;
    case 'human':
      if (typeof raw.message === 'string') extra.prompt = raw.message;
      n.interrupt_before = true;
      break;
    case 'workflow':
      if (typeof raw.workflow === 'string') extra.target_workflow = raw.workflow;
      if (raw.payload !== undefined) extra.input_mapping = raw.payload;
      break;
    case 'identify_user':
      if (raw.channel !== undefined) extra.channel = raw.channel;
      break;
    case 'categorizer':
      if (raw.categories !== undefined) extra.categories = raw.categories;
      break;
    case 'extractor':
      if (raw.schema !== undefined) extra.extraction_schema = raw.schema;
      break;
    case 'agent':
    case 'deep_agent':
      if (raw.memory === true) extra.conversation_memory = true;
      for (const key of [
        'input_template',
        'workspace_id',
        'max_steps',
        'enable_todos',
        'subagents',
        'filesystem_root_dir',
      ]) {
        if (raw[key] !== undefined) extra[key] = raw[key];
      }
      break;
    case 'loop': {
      if (typeof raw.over === 'string') Object.assign(extra, parseOver(raw.over));
      if (raw.max_iterations !== undefined) extra.max_iterations = raw.max_iterations;
      if (!Array.isArray(raw.body) || raw.body.length === 0) {
        ctx.problems.add(path, `Loop step '${id}' requires a non-empty \`body\` list`);
        break;
      }
      let prev: string | undefined;
      raw.body.forEach((bodyStep, j) => {
        const compiled = compileStep(
          ctx,
          bodyStep,
          [...path, 'body', j],
          `${label}.body[${j + 1}]`,
          fallbackIndex * 100 + j + 1,
          x + 300 * j,
          y + 150,
        );
        if (!compiled) return;
        const bodyPath = [...path, 'body', j];
        if (prev === undefined)
          ctx.edges.push(edge(id, compiled.node.node_id, bodyPath, { edge_label: 'loop_body' }));
        else ctx.edges.push(edge(prev, compiled.node.node_id, bodyPath));
        prev = compiled.exit;
      });
      if (prev !== undefined)
        ctx.edges.push(edge(prev, id, [...path, 'body'], { edge_label: 'loop_return' }));
      exit = id;
      break;
    }
    default:
      break;
  }
  n.config.extra_config = extra;
  ctx.nodes.push(n);
  if (d.accepts?.model)
    addModel(ctx, raw.model ?? ctx.model, n, raw.model !== undefined ? [...path, 'model'] : ['model']);
  if (d.accepts?.tools) addTools(ctx, raw.tools, n, [...path, 'tools']);
  else if (raw.tools !== undefined)
    ctx.problems.add([...path, 'tools'], `Step type '${raw.type}' does not take tools`);
  if (d.accepts?.skills) addSkills(ctx, raw.skills, n, [...path, 'skills']);
  return { node: n, claims, exit };
}
