import type { EditorCommand } from './types';

export const fitViewCommand: EditorCommand = {
  id: 'fit-view',
  label: 'Fit view',
  shortcut: ['Shift+1'],
  enabled: () => true,
  run: (ctx) => ctx.fitView(),
};
