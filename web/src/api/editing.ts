/**
 * Node and edge mutations of the editor. Each answer is written into the cached workflow detail at
 * once (the same patch the WebSocket echo applies), so the canvas works with or without the socket.
 */
import type { QueryClient } from '@tanstack/react-query';
import { api } from './client';
import type { NodeConfig, WorkflowDetail, WorkflowEdge, WorkflowNode } from './types';
import { workflowKeys } from './workflows';

export type EditingEvent =
  | { type: 'node_created' | 'node_updated'; data: WorkflowNode }
  | { type: 'node_deleted'; data: { node_id: string } }
  | { type: 'edge_created' | 'edge_updated'; data: WorkflowEdge }
  | { type: 'edge_deleted'; data: { id: number } };

/** Applies one editing event to a workflow detail (idempotent: echoes of our own changes are harmless). */
export function applyEditingEvent(detail: WorkflowDetail, event: EditingEvent): WorkflowDetail {
  switch (event.type) {
    case 'node_created':
    case 'node_updated': {
      const others = detail.nodes.filter((n) => n.node_id !== event.data.node_id);
      const index = detail.nodes.findIndex((n) => n.node_id === event.data.node_id);
      const nodes =
        index < 0 ? [...others, event.data] : detail.nodes.map((n, i) => (i === index ? event.data : n));
      return { ...detail, nodes };
    }
    case 'node_deleted':
      return {
        ...detail,
        nodes: detail.nodes.filter((n) => n.node_id !== event.data.node_id),
        edges: detail.edges.filter(
          (e) => e.source_node_id !== event.data.node_id && e.target_node_id !== event.data.node_id,
        ),
      };
    case 'edge_created':
    case 'edge_updated': {
      const exists = detail.edges.some((e) => e.id === event.data.id);
      const edges = exists
        ? detail.edges.map((e) => (e.id === event.data.id ? event.data : e))
        : [...detail.edges, event.data];
      return { ...detail, edges };
    }
    case 'edge_deleted':
      return { ...detail, edges: detail.edges.filter((e) => e.id !== event.data.id) };
  }
}

export function patchWorkflowCache(qc: QueryClient, slug: string, event: EditingEvent): void {
  qc.setQueryData<WorkflowDetail>(workflowKeys.detail(slug), (old) =>
    old ? applyEditingEvent(old, event) : old,
  );
}

export interface NodeCreate {
  component_type: string;
  position_x: number;
  position_y: number;
  node_id?: string;
  label?: string | null;
  config?: Partial<NodeConfig>;
  interrupt_before?: boolean;
  interrupt_after?: boolean;
}

export interface EdgeCreate {
  source_node_id: string;
  target_node_id: string;
  edge_label: string;
  edge_type?: 'direct' | 'conditional';
  condition_value?: string;
}

const base = (slug: string) => `/workflows/${encodeURIComponent(slug)}`;

/** Typed calls bound to one workflow and one query client. */
export function editingApi(qc: QueryClient, slug: string) {
  const patch = (event: EditingEvent) => patchWorkflowCache(qc, slug, event);
  return {
    async createNode(body: NodeCreate): Promise<WorkflowNode> {
      const node = await api<WorkflowNode>(`${base(slug)}/nodes/`, { method: 'POST', body });
      patch({ type: 'node_created', data: node });
      return node;
    },
    async updateNode(nodeId: string, body: Partial<WorkflowNode>): Promise<WorkflowNode> {
      const node = await api<WorkflowNode>(`${base(slug)}/nodes/${encodeURIComponent(nodeId)}/`, {
        method: 'PATCH',
        body,
      });
      patch({ type: 'node_updated', data: node });
      return node;
    },
    async deleteNode(nodeId: string): Promise<void> {
      await api(`${base(slug)}/nodes/${encodeURIComponent(nodeId)}/`, { method: 'DELETE' });
      patch({ type: 'node_deleted', data: { node_id: nodeId } });
    },
    async createEdge(body: EdgeCreate): Promise<WorkflowEdge> {
      const edge = await api<WorkflowEdge>(`${base(slug)}/edges/`, { method: 'POST', body });
      patch({ type: 'edge_created', data: edge });
      return edge;
    },
    async deleteEdge(id: number): Promise<void> {
      await api(`${base(slug)}/edges/${id}/`, { method: 'DELETE' });
      patch({ type: 'edge_deleted', data: { id } });
    },
  };
}

export type EditingApi = ReturnType<typeof editingApi>;
