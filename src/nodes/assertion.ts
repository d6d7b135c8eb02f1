import { z } from 'zod';
import { CATEGORY_COLORS, defineNode } from './define-node.js';
import { ZRule } from './rules.js';

/** Checks every rule; routes `pass` when all hold (no rules → pass), else `fail`. */
export const ZAssertionConfig = z.looseObject({
  rules: z.array(ZRule).default([]),
});

export const assertion = defineNode({
  type: 'assertion',
  displayName: 'Assertion',
  description: 'Checks conditions and routes to pass or fail.',
  category: 'logic',
  inputs: [{ name: 'input', data_type: 'any' }],
  outputs: [
    { name: 'output', data_type: 'object', description: '{passed, results[]}' },
    { name: 'route', data_type: 'string' },
  ],
  config: ZAssertionConfig,
  flags: { executable: true },
  palette: { label: 'Assertion', color: CATEGORY_COLORS.logic, icon: 'check' },
});
