/** Every editor command, once. Order is the toolbar and context-menu order. */
import { autoLayoutCommand } from './auto-layout';
import { copyCommand } from './copy';
import { deleteSelectionCommand } from './delete-selection';
import { fitViewCommand } from './fit-view';
import { pasteCommand } from './paste';
import { redoCommand } from './redo';
import { runManualCommand } from './run-manual';
import type { EditorCommand } from './types';
import { undoCommand } from './undo';
import { validateCommand } from './validate';

export const COMMANDS: EditorCommand[] = [
  undoCommand,
  redoCommand,
  copyCommand,
  pasteCommand,
  deleteSelectionCommand,
  autoLayoutCommand,
  fitViewCommand,
  validateCommand,
  runManualCommand,
];

export type { EditorCommand, EditorContext } from './types';
