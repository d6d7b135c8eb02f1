import { z } from 'zod';
import { CATEGORY_COLORS } from './define-node.js';
import { defineTool } from './tool-shared.js';

/** `recall(key?, query?)` over the global memory. */
export const memoryRead = defineTool({
  type: 'memory_read',
  displayName: 'Memory Read',
  description: 'Lets the agent recall facts, episodes and procedures.',
  category: 'sub_component',
  icon: 'database',
  color: CATEGORY_COLORS.memory,
  config: z.looseObject({
    memory_type: z.enum(['facts', 'episodes', 'procedures', 'all']).default('facts'),
    limit: z.number().int().min(1).max(100).default(10),
    min_confidence: z.number().min(0).max(1).default(0.5),
  }),
});
