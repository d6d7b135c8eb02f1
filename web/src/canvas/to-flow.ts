/** Converts the API's workflow detail into xyflow nodes and edges. */
import type { NodeTypes, WorkflowDetail } from '../api/types';
import type { PipelitFlowEdge, PipelitFlowNode } from './flow-types';
import { edgeHandles } from './handles';

const SUB_LABELS = new Set(['llm', 'tool', 'skill', 'output_parser', 'memory']);

export function toFlowNodes(
  detail: WorkflowDetail,
  specs: NodeTypes | undefined,
  problems: Record<string, string[]>,
): PipelitFlowNode[] {
  return detail.nodes.map((node) => ({
    id: node.node_id,
    type: 'pipelit',
    position: { x: node.position_x, y: node.position_y },
    data: { node, spec: specs?.[node.component_type], problems: problems[node.node_id] ?? [] },
  }));
}

export function toFlowEdges(detail: WorkflowDetail): PipelitFlowEdge[] {
  const byId = new Map(detail.nodes.map((n) => [n.node_id, n]));
  return detail.edges.map((edge) => {
    const source = byId.get(edge.source_node_id);
    const handles = edgeHandles(edge, source);
    const sub = SUB_LABELS.has(edge.edge_label);
    let label: string | undefined = edge.edge_label || undefined;
    if (edge.edge_label === 'loop_body') label = 'each item';
    if (edge.edge_label === 'loop_return') label = 'return';
    if (edge.edge_type === 'conditional') label = edge.condition_value;
    return {
      id: String(edge.id),
      source: edge.source_node_id,
      target: edge.target_node_id,
      sourceHandle: handles.sourceHandle,
      targetHandle: handles.targetHandle,
      label,
      animated: !sub,
      style: sub ? { strokeWidth: 2 } : { strokeDasharray: '6 4', strokeWidth: 2 },
      data: { edge },
    };
  });
}
