import { z } from 'zod';
import { CATEGORY_COLORS, defineNode } from './define-node.js';
import { mainValue } from './node-values.js';

/**
 * Waits for every incoming branch to finish or be skipped, then combines the outputs of the ones
 * that ran: `append` flattens them into a list, `combine` shallow-merges objects.
 */
export const ZMergeConfig = z.looseObject({
  mode: z.enum(['append', 'combine', 'concat']).default('append'),
  source_nodes: z.array(z.string()).default([]),
});

export const merge = defineNode({
  type: 'merge',
  displayName: 'Merge',
  description: 'Joins parallel branches and combines their outputs.',
  category: 'logic',
  inputs: [{ name: 'branches', data_type: 'any', required: true }],
  outputs: [{ name: 'merged', data_type: 'any' }],
  config: ZMergeConfig,
  flags: { executable: true, replayable: true },
  palette: { label: 'Merge', color: CATEGORY_COLORS.logic, icon: 'merge' },
  async run(ctx) {
    const sources = ctx.config.source_nodes.length
      ? ctx.config.source_nodes.filter((id) => ctx.outputs[id])
      : Object.keys(ctx.inputs);
    if (ctx.config.mode === 'combine') {
      const merged: Record<string, unknown> = {};
      for (const id of sources) {
        const value = mainValue(ctx.outputs[id]);
        if (value && typeof value === 'object' && !Array.isArray(value)) Object.assign(merged, value);
        else merged[id] = value;
      }
      return { outputs: { merged } };
    }
    const merged: unknown[] = [];
    for (const id of sources) {
      const value = mainValue(ctx.outputs[id]);
      if (Array.isArray(value)) merged.push(...value);
      else merged.push(value);
    }
    return { outputs: { merged } };
  },
});
