import type { EditorCommand } from './types';

export const undoCommand: EditorCommand = {
  id: 'undo',
  label: 'Undo',
  shortcut: ['Mod+Z'],
  toolbar: true,
  enabled: (ctx) => ctx.history.canUndo,
  run: (ctx) => ctx.history.undo(),
};
