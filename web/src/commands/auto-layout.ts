import { autoLayout } from '../canvas/auto-layout';
import type { EditorCommand } from './types';

export const autoLayoutCommand: EditorCommand = {
  id: 'auto-layout',
  label: 'Auto-layout',
  shortcut: ['Shift+L'],
  toolbar: true,
  enabled: (ctx) => ctx.detail.nodes.length > 0,
  run: async (ctx) => {
    const positions = autoLayout(ctx.detail.nodes, ctx.detail.edges);
    const moves = ctx.detail.nodes
      .filter((n) => positions.has(n.node_id))
      .map((n) => ({
        nodeId: n.node_id,
        from: { x: n.position_x, y: n.position_y },
        to: positions.get(n.node_id)!,
      }))
      .filter(
        (m) => Math.round(m.from.x) !== Math.round(m.to.x) || Math.round(m.from.y) !== Math.round(m.to.y),
      );
    if (moves.length) await ctx.edits.move(moves);
    ctx.fitView();
  },
};
