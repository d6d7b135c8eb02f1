import { z } from 'zod';
import { runCategorizer } from '../llm/run-categorizer.js';
import { MESSAGES_IN } from './ai-shared.js';
import { CATEGORY_COLORS, defineNode } from './define-node.js';

/** Classifies the last message into one of `categories`; the category name is the route. */
export const ZCategorizerConfig = z.looseObject({
  categories: z
    .array(z.looseObject({ name: z.string().min(1), description: z.string().default('') }))
    .default([]),
});

export const categorizer = defineNode({
  type: 'categorizer',
  displayName: 'Categorizer',
  description: 'Classifies the message with an LLM and routes by category.',
  category: 'ai',
  inputs: [MESSAGES_IN],
  outputs: [
    { name: 'category', data_type: 'string' },
    { name: 'raw', data_type: 'string', description: 'The model answer' },
  ],
  config: ZCategorizerConfig,
  flags: { executable: true },
  accepts: { model: true, output_parser: true },
  palette: { label: 'Categorizer', color: CATEGORY_COLORS.ai, icon: 'tags' },
  run: (ctx) => runCategorizer(ctx),
});
