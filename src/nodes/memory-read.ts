import { z } from 'zod';
import { loadMemoryScope } from '../memory/memory-scope.js';
import { recall } from '../memory/recall-remember.js';
import type { Services } from '../services.js';
import { CATEGORY_COLORS } from './define-node.js';
import { defineTool } from './tool-shared.js';

export const ZMemoryReadConfig = z.looseObject({
  memory_type: z.enum(['facts', 'episodes', 'procedures', 'all']).default('facts'),
  limit: z.number().int().min(1).max(100).default(10),
  min_confidence: z.number().min(0).max(1).default(0.5),
  /** Node use: the key to look up / the query to search (templates allowed); both empty = list. */
  key: z.string().max(255).default(''),
  query: z.string().max(10_000).default(''),
});

/**
 * `recall(key?, query?)` over the memory of the workflow's owner and the execution's end user
 * (global, agent and this user's facts; never another end user's).
 */
export const memoryRead = defineTool({
  type: 'memory_read',
  displayName: 'Memory Read',
  description: 'Lets the agent recall facts, episodes and procedures.',
  category: 'sub_component',
  icon: 'database',
  color: CATEGORY_COLORS.memory,
  config: ZMemoryReadConfig,
});

/** Node use: recalls with the configured key/query; the answer is the `result` port. */
memoryRead.run = async (ctx) => {
  const scope = await loadMemoryScope((ctx.deps as Services).database.db, ctx.executionId);
  const result = await recall(
    scope,
    { key: ctx.config.key, query: ctx.config.query },
    { memoryType: ctx.config.memory_type, limit: ctx.config.limit, minConfidence: ctx.config.min_confidence },
  );
  return { outputs: { result } };
};
