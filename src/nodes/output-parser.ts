import { z } from 'zod';
import { CATEGORY_COLORS, defineNode } from './define-node.js';

/** Parses an AI node's answer (JSON, regex matches or a list), connected with an `output_parser` edge. */
export const ZOutputParserConfig = z.looseObject({
  parser_type: z.enum(['json', 'regex', 'list']).default('json'),
  source_node: z.string().default(''),
  pattern: z.string().default(''),
});

export const outputParser = defineNode({
  type: 'output_parser',
  displayName: 'Output Parser',
  description: 'Parses the answer of the AI node it connects to.',
  category: 'sub_component',
  inputs: [],
  outputs: [{ name: 'parsed', data_type: 'any' }],
  config: ZOutputParserConfig,
  flags: { executable: false, subComponent: true },
  palette: { label: 'Output Parser', color: CATEGORY_COLORS.sub_component, icon: 'braces' },
});
