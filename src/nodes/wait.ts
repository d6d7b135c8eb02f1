import { z } from 'zod';
import { CATEGORY_COLORS, defineNode } from './define-node.js';

/** Delays the next nodes. Durable: a wait survives a restart of the process running it. */
export const ZWaitConfig = z.looseObject({
  duration: z.number().min(0).default(0),
  unit: z.enum(['seconds', 'minutes', 'hours']).default('seconds'),
});

export const wait = defineNode({
  type: 'wait',
  displayName: 'Wait',
  description: 'Pauses this branch for a while.',
  category: 'logic',
  inputs: [{ name: 'input', data_type: 'any' }],
  outputs: [{ name: 'output', data_type: 'string' }],
  config: ZWaitConfig,
  flags: { executable: true },
  palette: { label: 'Wait', color: CATEGORY_COLORS.logic, icon: 'hourglass' },
  async run(ctx) {
    const factor = ctx.config.unit === 'hours' ? 3600 : ctx.config.unit === 'minutes' ? 60 : 1;
    return {
      outputs: { output: `Waited ${ctx.config.duration} ${ctx.config.unit}` },
      delaySeconds: ctx.config.duration * factor,
    };
  },
  // The reference's DSL wrote `delay`/`delay_unit`, which its runtime never read.
  configMigrations: [
    (old) => {
      const { delay, delay_unit, ...rest } = old;
      if (rest.duration === undefined && delay !== undefined) rest.duration = Number(delay);
      if (rest.unit === undefined && delay_unit !== undefined) rest.unit = delay_unit;
      return rest;
    },
  ],
});
