import { z } from 'zod';
import { runExtractor } from '../llm/run-extractor.js';
import { MESSAGES_IN } from './ai-shared.js';
import { CATEGORY_COLORS, defineNode } from './define-node.js';

/** Extracts structured data matching `extraction_schema` (a JSON Schema object) with an LLM. */
export const ZExtractorConfig = z.looseObject({
  extraction_schema: z.record(z.string(), z.unknown()).default({ type: 'object', properties: {} }),
  /** Model answers tried before failing (invalid JSON or not matching the schema). */
  max_attempts: z.number().int().min(1).max(10).default(3),
});

export const extractor = defineNode({
  type: 'extractor',
  displayName: 'Extractor',
  description: 'Extracts structured data from the message with an LLM.',
  category: 'ai',
  inputs: [MESSAGES_IN],
  outputs: [{ name: 'extracted', data_type: 'object' }],
  config: ZExtractorConfig,
  flags: { executable: true },
  accepts: { model: true, output_parser: true },
  palette: { label: 'Extractor', color: CATEGORY_COLORS.ai, icon: 'file-search' },
  run: (ctx) => runExtractor(ctx),
});
