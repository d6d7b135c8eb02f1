import { z } from 'zod';
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
});
