import { z } from 'zod';
import { getPath } from '../engine/get-path.js';
import { evaluateRule } from '../engine/operators.js';
import { CATEGORY_COLORS, defineNode } from './define-node.js';
import { mainValue, readSource } from './node-values.js';
import { ZRule } from './rules.js';

/** Keeps the items of a list for which every rule holds (rule fields are keys of each item). */
export const ZFilterConfig = z.looseObject({
  source_node: z.string().default(''),
  field: z.string().default(''),
  rules: z.array(ZRule).default([]),
});

export const filter = defineNode({
  type: 'filter',
  displayName: 'Filter',
  description: 'Keeps the list items that match the rules.',
  category: 'logic',
  inputs: [{ name: 'input', data_type: 'array', required: true }],
  outputs: [{ name: 'filtered', data_type: 'array' }],
  config: ZFilterConfig,
  flags: { executable: true, replayable: true },
  palette: { label: 'Filter', color: CATEGORY_COLORS.logic, icon: 'filter' },
  async run(ctx) {
    const source = ctx.config.source_node
      ? readSource(ctx.outputs, ctx.config.source_node, ctx.config.field)
      : mainValue(Object.values(ctx.inputs)[0]);
    if (source === null || source === undefined) return { outputs: { filtered: [] } };
    if (!Array.isArray(source)) return { outputs: { filtered: source } };
    const filtered = source.filter((item) =>
      ctx.config.rules.every((rule) => {
        const value = rule.field && item && typeof item === 'object' ? getPath(item, rule.field) : item;
        return evaluateRule(rule, value);
      }),
    );
    return { outputs: { filtered } };
  },
});
