/**
 * Router (spec §8.4): rule-based, no LLM. `condition_expression` `state.a.b` → that value, or
 * `state.x == 'v'` → `v` when equal else ''; otherwise the `condition_field` (default `route`) of the
 * nearest upstream output. "state" is the node outputs by node id plus `trigger`.
 */
import type { NodeResult, NodeRunContext } from '../nodes/define-node.js';

function lookup(state: Record<string, unknown>, path: string): unknown {
  let cur: unknown = state;
  for (const key of path.replace(/^state\./, '').split('.')) {
    if (!key) continue;
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

export function evaluateRoute(
  expression: string,
  field: string,
  state: Record<string, unknown>,
  inputs: Record<string, Record<string, unknown>>,
): string {
  const expr = expression.trim();
  if (expr) {
    const eq = /^(state(?:\.[\w-]+)+)\s*==\s*(['"])(.*)\2$/.exec(expr);
    if (eq) return String(lookup(state, eq[1]) ?? '') === eq[3] ? eq[3] : '';
    const v = lookup(state, expr);
    return v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  }
  for (const out of Object.values(inputs).reverse()) {
    if (out[field] !== undefined && out[field] !== null) return String(out[field]);
  }
  const v = lookup(state, field);
  return v === undefined || v === null ? '' : String(v);
}

export async function runRouter(
  ctx: NodeRunContext<{ condition_field: string; condition_expression: string }>,
): Promise<NodeResult> {
  const state = { ...ctx.outputs, trigger: ctx.trigger };
  const route = evaluateRoute(ctx.config.condition_expression, ctx.config.condition_field, state, ctx.inputs);
  return { outputs: { route }, route };
}
