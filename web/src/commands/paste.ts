import type { EditorCommand } from './types';

export const pasteCommand: EditorCommand = {
  id: 'paste',
  label: 'Paste',
  shortcut: ['Mod+V'],
  enabled: (ctx) => Boolean(ctx.clipboard.current?.nodes.length),
  run: async (ctx) => {
    const clip = ctx.clipboard.current;
    if (!clip) return;
    clip.pastes += 1;
    const ids = await ctx.edits.paste(clip.nodes, clip.edges, 40 * clip.pastes);
    ctx.select(ids);
  },
};
