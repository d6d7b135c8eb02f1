/**
 * Which nodes an execution runs and how they connect, scoped to the trigger that fired (spec §7.4):
 * breadth-first from the trigger over control edges; triggers and sub-components are never run.
 * Loop bodies are separate scopes, run once per item by the loop node.
 */
import { getNodeType } from '../nodes/registry.js';
import type { GraphEdge, GraphNode, WorkflowGraph } from './graph.js';

/** Edge labels that carry control flow (the rest plug sub-components into their parent). */
export const CONTROL_LABELS = new Set(['', 'loop_body', 'loop_return', 'error']);

export interface Scope {
  /** Nodes run in this scope. */
  nodes: Set<string>;
  /** Nodes that start the scope (their trigger or loop edge is active from the start). */
  entries: Set<string>;
  /** Edges between nodes of the scope, by target. */
  incoming: Map<string, GraphEdge[]>;
  /** Edges between nodes of the scope, by source. */
  outgoing: Map<string, GraphEdge[]>;
}

export interface LoopInfo {
  body: Scope;
  /** Nodes whose output is an iteration's result (`loop_return` sources, else the body's leaves). */
  completion: string[];
}

export interface Topology {
  main: Scope;
  loops: Map<string, LoopInfo>;
  nodes: Map<string, GraphNode>;
  /** True when a reply_chat node will run (disables terminal-agent promotion, spec §7.10). */
  hasReply: boolean;
}

export class TopologyError extends Error {
  override name = 'TopologyError';
}

function isTrigger(node: GraphNode): boolean {
  const type = getNodeType(node.componentType);
  return type ? !!type.flags.trigger : node.componentType.startsWith('trigger_');
}

function isExecutable(node: GraphNode): boolean {
  const type = getNodeType(node.componentType);
  // Unknown types are kept so the run fails loudly on them instead of silently skipping.
  if (!type) return true;
  if (type.flags.trigger) return false;
  // A sub-component that can run on its own (memory_read/write) runs when wired into the flow:
  // only control edges bring a node into the topology, so plugged-in tools are never scheduled.
  return type.flags.subComponent ? !!type.run : type.flags.executable;
}

function makeScope(nodes: Set<string>, entries: Set<string>, edges: GraphEdge[]): Scope {
  const incoming = new Map<string, GraphEdge[]>();
  const outgoing = new Map<string, GraphEdge[]>();
  for (const edge of edges) {
    if (!nodes.has(edge.source) || !nodes.has(edge.target)) continue;
    if (edge.label === 'loop_body' || edge.label === 'loop_return') continue;
    if (!incoming.has(edge.target)) incoming.set(edge.target, []);
    if (!outgoing.has(edge.source)) outgoing.set(edge.source, []);
    incoming.get(edge.target)!.push(edge);
    outgoing.get(edge.source)!.push(edge);
  }
  return { nodes, entries, incoming, outgoing };
}

/** Topologies built from the same (cached, frozen) node list, per trigger node. */
const topologies = new WeakMap<readonly GraphNode[], Map<string, Topology>>();

/**
 * The topology of a graph for one trigger, reused while the graph's node and edge lists are the same
 * objects (graph.ts shares them until the workflow's graph changes). Runs only read it.
 */
export function topologyOf(graph: WorkflowGraph, triggerNodeId: string | null): Topology {
  let byTrigger = topologies.get(graph.nodes);
  if (!byTrigger) {
    byTrigger = new Map();
    topologies.set(graph.nodes, byTrigger);
  }
  const key = triggerNodeId ?? '';
  let topo = byTrigger.get(key);
  if (!topo) {
    topo = buildTopology(graph, triggerNodeId);
    byTrigger.set(key, topo);
  }
  return topo;
}

/** Builds the topology for a run fired by `triggerNodeId` (or unscoped when null). */
function buildTopology(graph: WorkflowGraph, triggerNodeId: string | null): Topology {
  const byId = new Map(graph.nodes.map((n) => [n.nodeId, n]));
  const control = graph.edges.filter((e) => CONTROL_LABELS.has(e.label) && e.target);

  let reachable: Set<string>;
  if (triggerNodeId) {
    if (!byId.has(triggerNodeId)) throw new TopologyError(`Trigger node '${triggerNodeId}' not found`);
    reachable = new Set([triggerNodeId]);
    const queue = [triggerNodeId];
    while (queue.length) {
      const current = queue.shift()!;
      for (const edge of control) {
        if (edge.source === current && !reachable.has(edge.target) && byId.has(edge.target)) {
          reachable.add(edge.target);
          queue.push(edge.target);
        }
      }
    }
  } else {
    reachable = new Set(byId.keys());
  }

  const executable = new Set([...reachable].filter((id) => isExecutable(byId.get(id)!)));
  if (executable.size === 0)
    throw new TopologyError(`Workflow '${graph.workflow.slug}' has no executable nodes`);

  // Loop bodies: reachable from the loop's `loop_body` targets over plain edges, not through the loop.
  const loops = new Map<string, LoopInfo>();
  const inSomeBody = new Set<string>();
  for (const id of executable) {
    if (byId.get(id)!.componentType !== 'loop') continue;
    const targets = control.filter((e) => e.source === id && e.label === 'loop_body').map((e) => e.target);
    const body = new Set<string>();
    const queue = targets.filter((t) => executable.has(t));
    for (const t of queue) body.add(t);
    while (queue.length) {
      const current = queue.shift()!;
      for (const edge of control) {
        if (edge.source !== current || edge.label !== '' || edge.target === id) continue;
        if (executable.has(edge.target) && !body.has(edge.target)) {
          body.add(edge.target);
          queue.push(edge.target);
        }
      }
    }
    for (const b of body) inSomeBody.add(b);
    const scope = makeScope(body, new Set(targets.filter((t) => body.has(t))), control);
    const returns = control.filter((e) => e.target === id && e.label === 'loop_return' && body.has(e.source));
    const completion = returns.length
      ? returns.map((e) => e.source)
      : [...body].filter((b) => !(scope.outgoing.get(b)?.length ?? 0));
    loops.set(id, { body: scope, completion });
  }

  const mainNodes = new Set([...executable].filter((id) => !inSomeBody.has(id)));
  let entries = new Set([...mainNodes].filter((id) => byId.get(id)!.isEntryPoint));
  if (entries.size === 0) {
    const triggers = triggerNodeId
      ? [triggerNodeId]
      : graph.nodes.filter((n) => isTrigger(n)).map((n) => n.nodeId);
    entries = new Set(
      control.filter((e) => triggers.includes(e.source) && mainNodes.has(e.target)).map((e) => e.target),
    );
  }
  if (entries.size === 0) {
    const first = graph.nodes.find((n) => mainNodes.has(n.nodeId));
    if (first) entries.add(first.nodeId);
  }

  const nodes = new Map([...executable].map((id) => [id, byId.get(id)!]));
  const hasReply = [...executable].some((id) => byId.get(id)!.componentType === 'reply_chat');
  return { main: makeScope(mainNodes, entries, control), loops, nodes, hasReply };
}
