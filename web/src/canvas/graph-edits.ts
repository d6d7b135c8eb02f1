/**
 * Editing operations that are recorded in the history: create/delete nodes and edges, move, update,
 * paste. Each performs the change through the API and pushes its reverse.
 */
import type { EdgeCreate, EditingApi, NodeCreate } from '../api/editing';
import type { WorkflowDetail, WorkflowEdge, WorkflowNode } from '../api/types';
import type { EditHistory } from './history';

/** The data needed to re-create a node exactly (same id). */
export function nodeSnapshot(node: WorkflowNode): NodeCreate {
  return {
    node_id: node.node_id,
    component_type: node.component_type,
    label: node.label,
    position_x: Math.round(node.position_x),
    position_y: Math.round(node.position_y),
    config: node.config,
    interrupt_before: node.interrupt_before,
    interrupt_after: node.interrupt_after,
  };
}

export function edgeSnapshot(edge: WorkflowEdge): EdgeCreate {
  return {
    source_node_id: edge.source_node_id,
    target_node_id: edge.target_node_id,
    edge_label: edge.edge_label,
    edge_type: edge.edge_type,
    condition_value: edge.condition_value || undefined,
  };
}

const sameEdge = (a: EdgeCreate, b: WorkflowEdge) =>
  a.source_node_id === b.source_node_id &&
  a.target_node_id === b.target_node_id &&
  a.edge_label === b.edge_label &&
  (a.condition_value ?? '') === (b.condition_value ?? '');

export class GraphEdits {
  constructor(
    private readonly edit: EditingApi,
    private readonly history: EditHistory,
    private readonly current: () => WorkflowDetail | undefined,
  ) {}

  private async deleteEdgeLike(snapshot: EdgeCreate): Promise<void> {
    const edge = this.current()?.edges.find((e) => sameEdge(snapshot, e));
    if (edge) await this.edit.deleteEdge(edge.id);
  }

  async addNode(body: NodeCreate): Promise<WorkflowNode> {
    const node = await this.edit.createNode(body);
    const snapshot = nodeSnapshot(node);
    this.history.push({
      label: 'Add node',
      undo: () => this.edit.deleteNode(node.node_id),
      redo: async () => {
        await this.edit.createNode(snapshot);
      },
    });
    return node;
  }

  async addEdge(body: EdgeCreate): Promise<WorkflowEdge> {
    const edge = await this.edit.createEdge(body);
    const snapshot = edgeSnapshot(edge);
    this.history.push({
      label: 'Connect',
      undo: () => this.deleteEdgeLike(snapshot),
      redo: async () => {
        await this.edit.createEdge(snapshot);
      },
    });
    return edge;
  }

  /** Deletes nodes (with their edges) and edges; undo re-creates all of them. */
  async remove(nodeIds: string[], edgeIds: number[]): Promise<void> {
    const detail = this.current();
    if (!detail) return;
    const nodeSet = new Set(nodeIds);
    const nodes = detail.nodes.filter((n) => nodeSet.has(n.node_id)).map(nodeSnapshot);
    const edges = detail.edges
      .filter((e) => edgeIds.includes(e.id) || nodeSet.has(e.source_node_id) || nodeSet.has(e.target_node_id))
      .map(edgeSnapshot);
    const apply = async () => {
      for (const e of edges) {
        if (!nodeSet.has(e.source_node_id) && !nodeSet.has(e.target_node_id)) await this.deleteEdgeLike(e);
      }
      for (const n of nodes) await this.edit.deleteNode(n.node_id!);
    };
    await apply();
    this.history.push({
      label: 'Delete',
      undo: async () => {
        for (const n of nodes) await this.edit.createNode(n);
        for (const e of edges) await this.edit.createEdge(e);
      },
      redo: apply,
    });
  }

  async move(moves: Array<{ nodeId: string; from: { x: number; y: number }; to: { x: number; y: number } }>) {
    const apply = async (key: 'from' | 'to') => {
      for (const m of moves) {
        await this.edit.updateNode(m.nodeId, {
          position_x: Math.round(m[key].x),
          position_y: Math.round(m[key].y),
        });
      }
    };
    await apply('to');
    this.history.push({ label: 'Move', undo: () => apply('from'), redo: () => apply('to') });
  }

  /** Saves node fields (label, config, interrupt flags); undo restores the previous values. */
  async update(before: WorkflowNode, patch: Partial<WorkflowNode>): Promise<WorkflowNode> {
    const previous: Partial<WorkflowNode> = {};
    for (const key of Object.keys(patch) as Array<keyof WorkflowNode>) {
      (previous as Record<string, unknown>)[key] = before[key];
    }
    const node = await this.edit.updateNode(before.node_id, patch);
    this.history.push({
      label: 'Edit node',
      undo: async () => {
        await this.edit.updateNode(before.node_id, previous);
      },
      redo: async () => {
        await this.edit.updateNode(before.node_id, patch);
      },
    });
    return node;
  }

  /** Creates copies of nodes (new ids from the server) and the edges among them. */
  async paste(nodes: WorkflowNode[], edges: WorkflowEdge[], offset: number): Promise<string[]> {
    const idMap = new Map<string, string>();
    const created: NodeCreate[] = [];
    for (const n of nodes) {
      const { node_id: _old, ...rest } = nodeSnapshot(n);
      const node = await this.edit.createNode({
        ...rest,
        position_x: rest.position_x + offset,
        position_y: rest.position_y + offset,
      });
      idMap.set(n.node_id, node.node_id);
      created.push(nodeSnapshot(node));
    }
    const createdEdges: EdgeCreate[] = [];
    for (const e of edges) {
      const source = idMap.get(e.source_node_id);
      const target = idMap.get(e.target_node_id);
      if (!source || !target) continue;
      const edge = await this.edit.createEdge({
        ...edgeSnapshot(e),
        source_node_id: source,
        target_node_id: target,
      });
      createdEdges.push(edgeSnapshot(edge));
    }
    this.history.push({
      label: 'Paste',
      undo: async () => {
        for (const n of created) await this.edit.deleteNode(n.node_id!);
      },
      redo: async () => {
        for (const n of created) await this.edit.createNode(n);
        for (const e of createdEdges) await this.edit.createEdge(e);
      },
    });
    return [...idMap.values()];
  }
}
