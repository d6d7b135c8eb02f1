/**
 * The execution's final output (spec §7.11): an explicit reply (reply_chat) wins; else the output of a
 * terminal agent when no reply node exists; else the outputs of every node that ran; else null.
 */
import { type NodeState, stateKey } from './execution-store.js';
import type { Topology } from './topology.js';

const AGENT_TYPES = new Set(['agent', 'deep_agent']);

export function computeFinalOutput(
  topo: Topology,
  states: Map<string, NodeState>,
  explicit: { value: unknown } | undefined,
): unknown {
  if (explicit) return { output: explicit.value };
  if (!topo.hasReply) {
    for (const id of [...topo.main.nodes].reverse()) {
      const node = topo.nodes.get(id)!;
      const st = states.get(stateKey(id, ''));
      const terminal = !(topo.main.outgoing.get(id)?.length ?? 0);
      if (AGENT_TYPES.has(node.componentType) && terminal && st?.status === 'success' && st.output) {
        return { output: st.output.output ?? null };
      }
    }
  }
  const outputs: Record<string, unknown> = {};
  for (const id of topo.main.nodes) {
    const st = states.get(stateKey(id, ''));
    if (st?.status === 'success' && st.output) outputs[id] = st.output;
  }
  return Object.keys(outputs).length ? { node_outputs: outputs } : null;
}
