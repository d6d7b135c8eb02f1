import { z } from 'zod';
import { evaluateRule, resolveField } from '../engine/operators.js';
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
  flags: { executable: true, replayable: true },
  palette: { label: 'Assertion', color: CATEGORY_COLORS.logic, icon: 'check' },
  async run(ctx) {
    const scope = { node_outputs: ctx.outputs, trigger: ctx.trigger, loop: ctx.loop };
    const results = ctx.config.rules.map((rule) => {
      const actual = resolveField(rule.field, scope);
      return {
        check:
          `${rule.field} ${rule.operator} ${rule.value === undefined ? '' : JSON.stringify(rule.value)}`.trim(),
        passed: evaluateRule(rule, actual),
        actual: actual === undefined ? null : actual,
        expected: rule.value ?? null,
      };
    });
    const passed = results.every((r) => r.passed);
    const route = passed ? 'pass' : 'fail';
    return { outputs: { output: { passed, results }, route }, route };
  },
});
