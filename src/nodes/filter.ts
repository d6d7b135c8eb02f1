import { z } from 'zod';
import { CATEGORY_COLORS, defineNode } from './define-node.js';
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
  flags: { executable: true },
  palette: { label: 'Filter', color: CATEGORY_COLORS.logic, icon: 'filter' },
});
