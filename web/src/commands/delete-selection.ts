import type { EditorCommand } from './types';

export const deleteSelectionCommand: EditorCommand = {
  id: 'delete-selection',
  label: 'Delete selection',
  shortcut: ['Delete', 'Backspace'],
  enabled: (ctx) => ctx.selectedNodeIds.length + ctx.selectedEdgeIds.length > 0,
  run: async (ctx) => {
    await ctx.edits.remove(ctx.selectedNodeIds, ctx.selectedEdgeIds);
    ctx.select([]);
  },
};
