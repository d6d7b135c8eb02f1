/**
 * Edge and workflow validation: pure functions over node types read from the registry at call time.
 *
 * An edge is type-compatible when ANY output port of the source is compatible with ANY input port of
 * the target (the reference compared only the first ports). Sub-component edges (`llm`, `tool`,
 * `memory`, `output_parser`, `skill`) need a target that accepts them AND a source of the right kind.
 * Conditional edges may leave switch, assertion (`pass`/`fail`), categorizer (a category name),
 * router, human confirmation (`confirmed`/`cancelled`) and any type with an output port named `route`.
 * An edge identical to an existing one (same source, target, type, label and condition value) is a
 * duplicate: the API answers 409.
 */
import type { DataType, NodeDescriptor } from '../nodes/define-node.js';
import { getNodeType } from '../nodes/registry.js';

export interface EdgeLike {
  id?: number;
  source_node_id: string;
  target_node_id: string;
  edge_type: string;
  edge_label: string;
  condition_value: string;
}
export interface NodeLike {
  node_id: string;
  component_type: string;
  config?: { extra_config?: Record<string, unknown> };
}

export const EDGE_LABELS = [
  '',
  'llm',
  'tool',
  'memory',
  'output_parser',
  'skill',
  'loop_body',
  'loop_return',
  // Taken only when the source node fails (error routing); the failure is then handled.
  'error',
] as const;
export type SubComponentKind = 'model' | 'tool' | 'output_parser' | 'skill';

/** Which `accepts` flag each sub-component label needs on the target, and what kind its source must be. */
const SUB_EDGES: Record<
  string,
  { accepts: 'model' | 'tools' | 'memory' | 'output_parser' | 'skills'; kind: SubComponentKind }
> = {
  llm: { accepts: 'model', kind: 'model' },
  tool: { accepts: 'tools', kind: 'tool' },
  memory: { accepts: 'tools', kind: 'tool' },
  output_parser: { accepts: 'output_parser', kind: 'output_parser' },
  skill: { accepts: 'skills', kind: 'skill' },
};

/** Fixed route values of routing types; `undefined` = free values (rule ids, category names…). */
const ROUTING_TYPES: Record<string, readonly string[] | undefined> = {
  switch: undefined,
  assertion: ['pass', 'fail'],
  categorizer: undefined,
  router: undefined,
  human_confirmation: ['confirmed', 'cancelled'],
};

/** Spec §7.6 compatibility. */
export function compatibleTypes(src: DataType, tgt: DataType): boolean {
  if (src === tgt || src === 'any' || tgt === 'any') return true;
  if (src === 'message' && tgt === 'messages') return true;
  if (src === 'string' && (tgt === 'message' || tgt === 'messages')) return true;
  return false;
}

/** The kind of sub-component a node type is, or `null` for ordinary nodes. */
export function subComponentKind(d: NodeDescriptor): SubComponentKind | null {
  if (d.type === 'ai_model') return 'model';
  if (d.type === 'output_parser') return 'output_parser';
  if (d.type === 'skill') return 'skill';
  return d.flags.subComponent ? 'tool' : null;
}

export function canRoute(d: NodeDescriptor): boolean {
  return d.type in ROUTING_TYPES || d.outputs.some((p) => p.name === 'route');
}

export interface EdgeCheck {
  /** 409 for duplicates, 422 otherwise. */
  status: 409 | 422;
  errors: string[];
}

/**
 * Every reason `edge` cannot be added to a workflow with `nodes` and `others` (the other edges).
 * `null` when valid.
 */
export function checkEdge(
  edge: EdgeLike,
  nodes: ReadonlyMap<string, NodeLike>,
  others: readonly EdgeLike[],
): EdgeCheck | null {
  const errors: string[] = [];
  const source = nodes.get(edge.source_node_id);
  const target = edge.target_node_id ? nodes.get(edge.target_node_id) : undefined;
  if (!source) errors.push(`Edge references unknown source node '${edge.source_node_id}'`);
  if (!edge.target_node_id) errors.push('Edge requires a target_node_id');
  else if (!target) errors.push(`Edge references unknown target node '${edge.target_node_id}'`);
  if (!(EDGE_LABELS as readonly string[]).includes(edge.edge_label))
    errors.push(`Unknown edge label '${edge.edge_label}'`);
  if (edge.edge_type !== 'direct' && edge.edge_type !== 'conditional')
    errors.push(`Unknown edge type '${edge.edge_type}'`);
  const sd = source ? getNodeType(source.component_type) : undefined;
  const td = target ? getNodeType(target.component_type) : undefined;
  if (source && !sd) errors.push(`Node '${source.node_id}' has unknown type '${source.component_type}'`);
  if (target && !td) errors.push(`Node '${target.node_id}' has unknown type '${target.component_type}'`);
  if (edge.source_node_id && edge.source_node_id === edge.target_node_id)
    errors.push('An edge cannot connect a node to itself');

  if (edge.edge_type === 'conditional') {
    if (!edge.condition_value) errors.push('Conditional edges require a non-empty condition_value');
    if (edge.edge_label) errors.push(`Conditional edges cannot carry the '${edge.edge_label}' label`);
    if (sd && !canRoute(sd)) {
      errors.push(
        `Conditional edges can only originate from routing nodes (switch, assertion, categorizer, router, human_confirmation); '${source?.node_id}' is ${sd.type}`,
      );
    }
    const allowed = sd ? ROUTING_TYPES[sd.type] : undefined;
    if (allowed && edge.condition_value && !allowed.includes(edge.condition_value)) {
      errors.push(
        `Conditional edges from ${sd?.type} must use condition_value ${allowed.map((v) => `'${v}'`).join(' or ')}`,
      );
    }
  }

  if (sd && td && errors.length === 0) errors.push(...checkTypes(edge, sd, td));

  if (errors.length) return { status: 422, errors };
  const duplicate = others.some(
    (o) =>
      o.id !== edge.id &&
      o.source_node_id === edge.source_node_id &&
      o.target_node_id === edge.target_node_id &&
      o.edge_type === edge.edge_type &&
      o.edge_label === edge.edge_label &&
      o.condition_value === edge.condition_value,
  );
  return duplicate ? { status: 409, errors: ['An identical edge already exists'] } : null;
}

function checkTypes(edge: EdgeLike, sd: NodeDescriptor, td: NodeDescriptor): string[] {
  const sub = SUB_EDGES[edge.edge_label];
  if (sub) {
    const out: string[] = [];
    const accepts = td.accepts ?? {};
    const ok = accepts[sub.accepts] || (edge.edge_label === 'memory' && accepts.memory);
    if (!ok) out.push(`Node type '${td.type}' does not accept '${edge.edge_label}' connections`);
    const asTool = sub.kind === 'tool' && sd.flags.agentTool;
    if (subComponentKind(sd) !== sub.kind && !asTool) {
      out.push(
        `A '${edge.edge_label}' edge must come from ${describeKind(sub.kind)}; '${edge.source_node_id}' is ${sd.type}`,
      );
    }
    return out;
  }
  if (edge.edge_label === 'loop_body')
    return sd.type === 'loop'
      ? []
      : [`'loop_body' edges must leave a loop node; '${edge.source_node_id}' is ${sd.type}`];
  if (edge.edge_label === 'loop_return')
    return td.type === 'loop'
      ? []
      : [`'loop_return' edges must enter a loop node; '${edge.target_node_id}' is ${td.type}`];
  if (edge.edge_label === 'error') {
    if (!sd.flags.executable || sd.flags.trigger || subComponentKind(sd))
      return [`'error' edges must leave a node that runs; '${edge.source_node_id}' is ${sd.type}`];
    if (!td.flags.executable || td.flags.trigger || subComponentKind(td))
      return [`'error' edges must enter a node that runs; '${edge.target_node_id}' is ${td.type}`];
    return [];
  }

  // Sub-components that can also run on their own (memory_read, memory_write) may sit in the flow.
  if (subComponentKind(sd) && !sd.run) {
    return [
      `'${edge.source_node_id}' (${sd.type}) is a sub-component: connect it with a ${labelFor(subComponentKind(sd))} edge`,
    ];
  }
  if (subComponentKind(td) && !td.run)
    return [`'${edge.target_node_id}' (${td.type}) is a sub-component and takes no data or control edges`];
  if (td.flags.trigger) return [`Trigger '${edge.target_node_id}' cannot have incoming edges`];
  if (!sd.outputs.length || !td.inputs.length) return [];
  const fits = sd.outputs.some((o) => td.inputs.some((i) => compatibleTypes(o.data_type, i.data_type)));
  if (fits) return [];
  const outs = sd.outputs.map((o) => `${o.name}:${o.data_type}`).join(', ');
  const ins = td.inputs.map((i) => `${i.name}:${i.data_type}`).join(', ');
  return [`Type mismatch: ${sd.type} outputs (${outs}) but ${td.type} expects (${ins})`];
}

const describeKind = (kind: SubComponentKind) =>
  ({
    model: 'an ai_model node',
    tool: 'a tool node',
    output_parser: 'an output_parser node',
    skill: 'a skill node',
  })[kind];
const labelFor = (kind: SubComponentKind | null) =>
  ({ model: "'llm'", tool: "'tool'", output_parser: "'output_parser'", skill: "'skill'" })[kind ?? 'tool'];

/** Keys of `extra_config` a node type needs to run (reported by workflow validation). */
const REQUIRED_CONFIG: Record<string, string[]> = {
  code: ['code'],
  workflow: ['target_workflow'],
  loop: ['source_node'],
};

/**
 * Every problem of a whole workflow at once: edge problems, no trigger, nodes not reachable from a
 * trigger, AI nodes without a model edge, missing required config.
 */
export function validateWorkflowGraph(nodes: readonly NodeLike[], edges: readonly EdgeLike[]): string[] {
  const errors: string[] = [];
  const byId = new Map(nodes.map((n) => [n.node_id, n]));
  edges.forEach((edge, i) => {
    const others = edges.filter((_, j) => j < i);
    const problem = checkEdge(edge, byId, others);
    for (const msg of problem?.errors ?? []) {
      errors.push(`Edge ${edge.source_node_id} → ${edge.target_node_id || '(none)'}: ${msg}`);
    }
  });

  const triggers = nodes.filter((n) => getNodeType(n.component_type)?.flags.trigger);
  if (!triggers.length) errors.push('Workflow has no trigger node');

  // Reachability: forward along flow edges; a sub-component is reached when its parent is.
  const reached = new Set(triggers.map((n) => n.node_id));
  for (let changed = true; changed; ) {
    changed = false;
    for (const e of edges) {
      const sub = e.edge_label in SUB_EDGES;
      const [from, to] = sub ? [e.target_node_id, e.source_node_id] : [e.source_node_id, e.target_node_id];
      if (reached.has(from) && byId.has(to) && !reached.has(to)) {
        reached.add(to);
        changed = true;
      }
    }
  }
  if (triggers.length) {
    for (const n of nodes)
      if (!reached.has(n.node_id))
        errors.push(`Node '${n.node_id}' (${n.component_type}) is not reachable from any trigger`);
  }

  for (const n of nodes) {
    const d = getNodeType(n.component_type);
    if (!d) {
      errors.push(`Node '${n.node_id}' has unknown type '${n.component_type}'`);
      continue;
    }
    if (d.accepts?.model && !d.flags.trigger) {
      const hasModel = edges.some(
        (e) =>
          e.edge_label === 'llm' &&
          e.target_node_id === n.node_id &&
          byId.get(e.source_node_id)?.component_type === 'ai_model',
      );
      if (!hasModel) errors.push(`Node '${n.node_id}' (${n.component_type}) requires a model connection`);
    }
    const extra = n.config?.extra_config ?? {};
    for (const key of REQUIRED_CONFIG[n.component_type] ?? []) {
      const v = extra[key];
      if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) {
        errors.push(`Node '${n.node_id}' (${n.component_type}) is missing required config '${key}'`);
      }
    }
  }
  return errors;
}
