import { z } from 'zod';
import { evaluateRule, resolveField } from '../engine/operators.js';
import { CATEGORY_COLORS, defineNode } from './define-node.js';
import { ZRule } from './rules.js';

/**
 * Routes to the conditional edge whose `condition_value` equals the id of the first matching rule,
 * or `__other__` when no rule matches and the fallback is on. Untaken branches are skipped.
 */
export const ZSwitchConfig = z.looseObject({
  rules: z.array(ZRule).default([]),
  enable_fallback: z.boolean().default(false),
  /** Legacy mode (no rules): route on this state field, or on an expression like `state.x == 'v'`. */
  condition_field: z.string().optional(),
  condition_expression: z.string().optional(),
});

export const switchNode = defineNode({
  type: 'switch',
  displayName: 'Switch',
  description: 'Routes to one branch by rules evaluated in order.',
  category: 'logic',
  inputs: [{ name: 'input', data_type: 'any' }],
  outputs: [{ name: 'route', data_type: 'string' }],
  config: ZSwitchConfig,
  flags: { executable: true, replayable: true },
  palette: { label: 'Switch', color: CATEGORY_COLORS.logic, icon: 'split' },
  async run(ctx) {
    const scope = { node_outputs: ctx.outputs, trigger: ctx.trigger, loop: ctx.loop };
    let route = '';
    if (ctx.config.rules.length) {
      const hit = ctx.config.rules.find((rule) => evaluateRule(rule, resolveField(rule.field, scope)));
      route = hit ? hit.id : ctx.config.enable_fallback ? '__other__' : '';
    } else if (ctx.config.condition_expression) {
      // Only the reference's `state.path == 'value'` form; never evaluated as code.
      const m = /^\s*([\w.]+)\s*==\s*['"](.*)['"]\s*$/.exec(ctx.config.condition_expression);
      route = m
        ? String(resolveField(m[1], scope) ?? '') === m[2]
          ? m[2]
          : ''
        : String(resolveField(ctx.config.condition_expression, scope) ?? '');
    } else if (ctx.config.condition_field) {
      route = String(resolveField(ctx.config.condition_field, scope) ?? '');
    }
    if (route === '' && ctx.config.enable_fallback) route = '__other__';
    return { outputs: { route }, route };
  },
});
