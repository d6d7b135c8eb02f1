/** Fork mode patches (spec §12.1): applied in order to a clone of the source workflow's graph. */

import type { GraphPlan, Problems } from './plan.js';
import { addTools, compileStep, edge, type StepContext } from './steps.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const ACTIONS = ['update_prompt', 'add_step', 'remove_step', 'add_tool', 'remove_tool', 'update_config'];

export function applyPatches(plan: GraphPlan, patches: unknown[], problems: Problems): void {
  patches.forEach((patch, i) => {
    const path = ['patches', i];
    if (!isObj(patch)) {
      problems.add(path, `Patch ${i + 1} must be a mapping`);
      return;
    }
    const find = (id: unknown) => plan.nodes.find((n) => n.node_id === id);
    const needNode = () => {
      const n = find(patch.step_id);
      if (!n) problems.add([...path, 'step_id'], `Patch ${i + 1}: step '${String(patch.step_id)}' not found`);
      return n;
    };
    const isPlain = (e: GraphPlan['edges'][number]) => e.edge_label === '' && e.edge_type === 'direct';
    switch (patch.action) {
      case 'update_prompt': {
        const n = needNode();
        if (!n) return;
        if (typeof patch.prompt === 'string') n.config.system_prompt = patch.prompt;
        const code = patch.snippet ?? patch.code;
        if (typeof code === 'string') n.config.extra_config = { ...n.config.extra_config, code };
        return;
      }
      case 'update_config': {
        const n = needNode();
        if (!n) return;
        if (!isObj(patch.config)) {
          problems.add(path, `Patch ${i + 1}: config must be a mapping`);
          return;
        }
        n.config.extra_config = { ...n.config.extra_config, ...patch.config };
        return;
      }
      case 'add_step': {
        const ctx: StepContext = {
          problems,
          nodes: plan.nodes,
          edges: plan.edges,
          ids: new Set(plan.nodes.map((n) => n.node_id)),
          model: undefined,
        };
        const after = patch.after === undefined ? undefined : find(patch.after);
        if (patch.after !== undefined && !after) {
          problems.add([...path, 'after'], `Patch ${i + 1}: step '${String(patch.after)}' not found`);
          return;
        }
        const x = after ? after.position_x + 300 : 0;
        const y = after ? after.position_y : 400;
        const compiled = compileStep(
          ctx,
          patch.step,
          [...path, 'step'],
          `patch ${i + 1}`,
          plan.nodes.length + 1,
          x,
          y,
        );
        if (!compiled || !after) return;
        const outgoing = plan.edges.filter((e) => e.source_node_id === after.node_id && isPlain(e));
        for (const e of outgoing) e.source_node_id = compiled.exit;
        plan.edges.push(edge(after.node_id, compiled.node.node_id, path));
        return;
      }
      case 'remove_step': {
        const n = needNode();
        if (!n) return;
        const preds = plan.edges
          .filter((e) => e.target_node_id === n.node_id && isPlain(e))
          .map((e) => e.source_node_id);
        const succs = plan.edges
          .filter((e) => e.source_node_id === n.node_id && isPlain(e))
          .map((e) => e.target_node_id);
        plan.nodes.splice(plan.nodes.indexOf(n), 1);
        plan.edges = plan.edges.filter(
          (e) => e.source_node_id !== n.node_id && e.target_node_id !== n.node_id,
        );
        for (const p of preds) for (const s of succs) plan.edges.push(edge(p, s, path));
        return;
      }
      case 'add_tool': {
        const n = needNode();
        if (!n) return;
        const ctx: StepContext = {
          problems,
          nodes: plan.nodes,
          edges: plan.edges,
          ids: new Set(),
          model: undefined,
        };
        addTools(ctx, [patch.tool], n, [...path, 'tool'], (type) => `${type}_${n.node_id}_patched`);
        return;
      }
      case 'remove_tool': {
        const n = find(patch.tool_node_id);
        if (!n) {
          problems.add(
            [...path, 'tool_node_id'],
            `Patch ${i + 1}: tool node '${String(patch.tool_node_id)}' not found`,
          );
          return;
        }
        plan.nodes.splice(plan.nodes.indexOf(n), 1);
        plan.edges = plan.edges.filter(
          (e) => e.source_node_id !== n.node_id && e.target_node_id !== n.node_id,
        );
        return;
      }
      default:
        problems.add(
          [...path, 'action'],
          `Patch ${i + 1}: unknown action '${String(patch.action)}'. Valid: ${ACTIONS.join(', ')}`,
        );
    }
  });
}
