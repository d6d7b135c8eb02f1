import type { EditorCommand } from './types';

export const redoCommand: EditorCommand = {
  id: 'redo',
  label: 'Redo',
  shortcut: ['Mod+Y', 'Mod+Shift+Z'],
  toolbar: true,
  enabled: (ctx) => ctx.history.canRedo,
  run: (ctx) => ctx.history.redo(),
};
