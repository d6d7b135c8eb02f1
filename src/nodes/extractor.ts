import { z } from 'zod';
import { MESSAGES_IN } from './ai-shared.js';
import { CATEGORY_COLORS, defineNode } from './define-node.js';

/** Extracts structured data matching `extraction_schema` (a JSON Schema object) with an LLM. */
export const ZExtractorConfig = z.looseObject({
  extraction_schema: z.record(z.string(), z.unknown()).default({ type: 'object', properties: {} }),
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
});
