import { z } from 'zod';
import { resolveField } from '../engine/operators.js';
import { CATEGORY_COLORS, defineNode } from './define-node.js';

/** Runs another workflow as a child execution and outputs its final output. */
export const ZSubworkflowConfig = z.looseObject({
  target_workflow: z.string().default(''),
  trigger_mode: z.enum(['implicit', 'explicit']).default('implicit'),
  /** `{child_key: "dotted.path"}` resolved against this execution; default sends text + outputs. */
  input_mapping: z.record(z.string(), z.string()).default({}),
});

export const subworkflow = defineNode({
  type: 'workflow',
  displayName: 'Subworkflow',
  description: 'Runs another workflow and waits for its result.',
  category: 'logic',
  inputs: [{ name: 'payload', data_type: 'any' }],
  outputs: [{ name: 'output', data_type: 'any' }],
  config: ZSubworkflowConfig,
  flags: { executable: true },
  palette: { label: 'Subworkflow', color: CATEGORY_COLORS.logic, icon: 'workflow' },
  async run(ctx) {
    if (ctx.childResults) return { outputs: { output: ctx.childResults[0] ?? null } };
    if (!ctx.config.target_workflow) throw new Error('No target_workflow configured.');
    const scope = { node_outputs: ctx.outputs, trigger: ctx.trigger, loop: ctx.loop };
    const mapping = Object.entries(ctx.config.input_mapping);
    const payload = mapping.length
      ? Object.fromEntries(mapping.map(([key, path]) => [key, resolveField(path, scope) ?? null]))
      : { text: ctx.trigger.text ?? '', payload: { trigger: ctx.trigger, node_outputs: ctx.outputs } };
    return { outputs: {}, children: [{ workflowSlug: ctx.config.target_workflow, payload }] };
  },
});
