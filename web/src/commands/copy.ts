import type { EditorCommand } from './types';

/** Copies the selected nodes and the edges between them to the editor's clipboard. */
export const copyCommand: EditorCommand = {
  id: 'copy',
  label: 'Copy',
  shortcut: ['Mod+C'],
  enabled: (ctx) => ctx.selectedNodeIds.length > 0,
  run: (ctx) => {
    const ids = new Set(ctx.selectedNodeIds);
    ctx.clipboard.current = {
      nodes: ctx.detail.nodes.filter((n) => ids.has(n.node_id)),
      edges: ctx.detail.edges.filter((e) => ids.has(e.source_node_id) && ids.has(e.target_node_id)),
      pastes: 0,
    };
    ctx.notify(`Copied ${ids.size} node(s).`);
  },
};
