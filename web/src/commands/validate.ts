import { validateWorkflow } from '../api/workflows';
import type { EditorCommand } from './types';

/** Finds which node a server message is about: quoted ids (`'code_1a2b'`) or the ends of `Edge a → b`. */
function nodesIn(message: string, nodeIds: string[]): string[] {
  return nodeIds.filter(
    (id) => message.includes(`'${id}'`) || new RegExp(`(^|[\\s→(])${id}([\\s→:)]|$)`).test(message),
  );
}

export const validateCommand: EditorCommand = {
  id: 'validate',
  label: 'Validate',
  shortcut: ['Mod+S'],
  toolbar: true,
  enabled: () => true,
  run: async (ctx) => {
    const result = await validateWorkflow(ctx.slug);
    const ids = ctx.detail.nodes.map((n) => n.node_id);
    const byNode: Record<string, string[]> = {};
    const general: string[] = [];
    for (const message of result.errors ?? []) {
      const hit = nodesIn(message, ids);
      if (hit.length === 0) general.push(message);
      for (const id of hit) byNode[id] = [...(byNode[id] ?? []), message];
    }
    ctx.setProblems(byNode, general);
    ctx.notify(
      result.valid ? 'The workflow is valid.' : `${result.errors.length} problem(s) found.`,
      result.valid ? 'info' : 'error',
    );
  },
};
