/**
 * A simple layered layout: each node's layer is its longest path from a node without incoming data
 * edges; layers go left to right, nodes in a layer top to bottom in their current vertical order.
 * Sub-component nodes sit under the node they plug into.
 */
import type { WorkflowEdge, WorkflowNode } from '../api/types';

const LAYER_GAP = 300;
const ROW_GAP = 150;
const SUB_LABELS = new Set(['llm', 'tool', 'skill', 'output_parser', 'memory']);

export function autoLayout(
  nodes: WorkflowNode[],
  edges: WorkflowEdge[],
): Map<string, { x: number; y: number }> {
  const flow = edges.filter((e) => !SUB_LABELS.has(e.edge_label) && e.edge_label !== 'loop_return');
  const subs = edges.filter((e) => SUB_LABELS.has(e.edge_label));
  const subIds = new Set(subs.map((e) => e.source_node_id));
  const main = nodes.filter((n) => !subIds.has(n.node_id));
  const ids = new Set(main.map((n) => n.node_id));

  const layer = new Map<string, number>(main.map((n) => [n.node_id, 0]));
  // Longest path by relaxation; bounded by the node count so cycles cannot loop forever.
  for (let round = 0; round < main.length; round += 1) {
    let changed = false;
    for (const e of flow) {
      if (!ids.has(e.source_node_id) || !ids.has(e.target_node_id)) continue;
      const next = (layer.get(e.source_node_id) ?? 0) + 1;
      if (next > (layer.get(e.target_node_id) ?? 0)) {
        layer.set(e.target_node_id, next);
        changed = true;
      }
    }
    if (!changed) break;
  }

  const byLayer = new Map<number, WorkflowNode[]>();
  for (const n of main) {
    const l = layer.get(n.node_id) ?? 0;
    byLayer.set(l, [...(byLayer.get(l) ?? []), n]);
  }
  const out = new Map<string, { x: number; y: number }>();
  for (const [l, list] of byLayer) {
    list.sort((a, b) => a.position_y - b.position_y);
    list.forEach((n, i) => {
      out.set(n.node_id, { x: 80 + l * LAYER_GAP, y: 80 + i * ROW_GAP * 1.6 });
    });
  }
  const slotCount = new Map<string, number>();
  for (const e of subs) {
    const parent = out.get(e.target_node_id);
    if (!parent || out.has(e.source_node_id)) continue;
    const k = slotCount.get(e.target_node_id) ?? 0;
    slotCount.set(e.target_node_id, k + 1);
    out.set(e.source_node_id, { x: parent.x + k * 180 - 40, y: parent.y + ROW_GAP });
  }
  return out;
}
