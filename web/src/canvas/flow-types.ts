/** The canvas's typed node and edge data. */
import type { Edge, Node } from '@xyflow/react';
import type { NodeTypeSpec, WorkflowEdge, WorkflowNode } from '../api/types';

export interface PipelitNodeData extends Record<string, unknown> {
  node: WorkflowNode;
  spec?: NodeTypeSpec;
  /** Problems reported by the last Validate for this node. */
  problems: string[];
}

export type PipelitFlowNode = Node<PipelitNodeData, 'pipelit'>;
export type PipelitFlowEdge = Edge<{ edge: WorkflowEdge }>;
