/**
 * Editor commands are declarative objects, listed once in `index.ts` and read by the toolbar, the
 * context menu and the keymap. `enabled` and `run` receive the editor's current context.
 */
import type { NodeTypes, WorkflowDetail, WorkflowEdge, WorkflowNode } from '../api/types';
import type { GraphEdits } from '../canvas/graph-edits';
import type { EditHistory } from '../canvas/history';

export interface Clipboard {
  nodes: WorkflowNode[];
  edges: WorkflowEdge[];
  pastes: number;
}

export interface EditorContext {
  slug: string;
  detail: WorkflowDetail;
  specs: NodeTypes;
  selectedNodeIds: string[];
  selectedEdgeIds: number[];
  edits: GraphEdits;
  history: EditHistory;
  clipboard: { current: Clipboard | null };
  /** Shows a short message in the editor's status line. */
  notify(message: string, kind?: 'info' | 'error'): void;
  /** Problems found by Validate, by node id (empty object clears them). */
  setProblems(problems: Record<string, string[]>, general: string[]): void;
  select(nodeIds: string[]): void;
  fitView(): void;
}

export interface EditorCommand {
  id: string;
  label: string;
  /** Key combinations, e.g. `Mod+Z` (Mod = Ctrl, or Cmd on macOS), `Delete`. */
  shortcut?: string[];
  /** Shown in the toolbar (others only in the context menu and keymap). */
  toolbar?: boolean;
  enabled(ctx: EditorContext): boolean;
  run(ctx: EditorContext): Promise<void> | void;
}
