import { z } from 'zod';
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
  flags: { executable: true },
  palette: { label: 'Switch', color: CATEGORY_COLORS.logic, icon: 'split' },
});
