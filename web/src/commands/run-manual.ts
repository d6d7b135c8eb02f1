import { executeWorkflow } from '../api/workflows';
import type { EditorCommand } from './types';

/** Starts the selected manual trigger (or the only one in the workflow). */
function manualTrigger(ctx: Parameters<EditorCommand['run']>[0]): string | undefined {
  const manual = ctx.detail.nodes.filter((n) => n.component_type === 'trigger_manual');
  const selected = manual.find((n) => ctx.selectedNodeIds.includes(n.node_id));
  return selected?.node_id ?? (manual.length === 1 ? manual[0].node_id : undefined);
}

export const runManualCommand: EditorCommand = {
  id: 'run',
  label: 'Run',
  shortcut: ['Mod+Enter'],
  toolbar: true,
  enabled: (ctx) => Boolean(manualTrigger(ctx)),
  run: async (ctx) => {
    const trigger = manualTrigger(ctx);
    if (!trigger) return;
    const answer = await executeWorkflow(ctx.slug, trigger);
    ctx.notify(`Execution ${answer.execution_id.slice(0, 8)} started.`);
  },
};
