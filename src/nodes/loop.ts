import { z } from 'zod';
import { CATEGORY_COLORS, defineNode } from './define-node.js';
import { mainValue, readSource } from './node-values.js';

/**
 * Runs its body (the `loop_body` edge) once per item, in order, with `loop.item`, `loop.index` and
 * `loop.total` in expressions; `results` holds each iteration's result. The plain edge ("Done")
 * continues after the last item.
 */
export const ZLoopConfig = z.looseObject({
  source_node: z.string().default(''),
  field: z.string().default(''),
  on_error: z.enum(['stop', 'continue']).default('stop'),
  max_iterations: z.number().int().min(1).max(100_000).default(1000),
});

export const loop = defineNode({
  type: 'loop',
  displayName: 'Loop',
  description: 'Runs the loop body once per list item.',
  category: 'logic',
  inputs: [{ name: 'items', data_type: 'array', required: true }],
  outputs: [{ name: 'results', data_type: 'array' }],
  config: ZLoopConfig,
  flags: { executable: true, replayable: true },
  palette: { label: 'Loop', color: CATEGORY_COLORS.logic, icon: 'repeat' },
  async run(ctx) {
    const source = ctx.config.source_node
      ? readSource(ctx.outputs, ctx.config.source_node, ctx.config.field)
      : mainValue(Object.values(ctx.inputs)[0]);
    const items = source === null || source === undefined ? [] : Array.isArray(source) ? source : [source];
    if (items.length > ctx.config.max_iterations) {
      throw new Error(
        `Loop has ${items.length} items, more than max_iterations (${ctx.config.max_iterations}).`,
      );
    }
    return { outputs: { items, results: [] }, loopItems: items };
  },
});
