import { z } from 'zod';
import { CATEGORY_COLORS } from './define-node.js';
import { defineTool } from './tool-shared.js';

/** `remember(key, value, fact_type?)` into the global memory. */
export const memoryWrite = defineTool({
  type: 'memory_write',
  displayName: 'Memory Write',
  description: 'Lets the agent remember facts.',
  category: 'sub_component',
  icon: 'database-zap',
  color: CATEGORY_COLORS.memory,
  config: z.looseObject({
    fact_type: z
      .enum(['user_preference', 'world_knowledge', 'self_knowledge', 'correction', 'relationship'])
      .default('world_knowledge'),
    overwrite: z.boolean().default(true),
  }),
});
