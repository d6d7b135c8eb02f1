/** Nodes upstream of a node along data edges (not sub-component edges), nearest first. */
import type { WorkflowEdge } from '../api/types';

const SUB_LABELS = new Set(['llm', 'tool', 'skill', 'output_parser', 'memory']);

export function upstreamOf(nodeId: string, edges: WorkflowEdge[]): string[] {
  const seen = new Set<string>([nodeId]);
  const order: string[] = [];
  let frontier = [nodeId];
  while (frontier.length) {
    const next: string[] = [];
    for (const id of frontier) {
      for (const e of edges) {
        if (e.target_node_id !== id || SUB_LABELS.has(e.edge_label) || seen.has(e.source_node_id)) continue;
        seen.add(e.source_node_id);
        order.push(e.source_node_id);
        next.push(e.source_node_id);
      }
    }
    frontier = next;
  }
  return order;
}
