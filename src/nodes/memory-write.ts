import { z } from 'zod';
import { loadMemoryScope } from '../memory/memory-scope.js';
import { remember } from '../memory/recall-remember.js';
import type { Services } from '../services.js';
import { CATEGORY_COLORS } from './define-node.js';
import { defineTool } from './tool-shared.js';

export const ZMemoryWriteConfig = z.looseObject({
  fact_type: z
    .enum(['user_preference', 'world_knowledge', 'self_knowledge', 'correction', 'relationship'])
    .default('world_knowledge'),
  overwrite: z.boolean().default(true),
  /**
   * Where facts go: `user` (the execution's end user only — falls back to `agent` when nobody is
   * identified), `agent` (every end user of this workflow) or `global` (all the owner's workflows).
   */
  scope: z.enum(['user', 'session', 'agent', 'global']).default('user'),
  /** Node use: what to store (templates allowed). */
  key: z.string().max(255).default(''),
  value: z.unknown().optional(),
});

/** `remember(key, value, fact_type?)` into the memory of the workflow's owner and end user. */
export const memoryWrite = defineTool({
  type: 'memory_write',
  displayName: 'Memory Write',
  description: 'Lets the agent remember facts.',
  category: 'sub_component',
  icon: 'database-zap',
  color: CATEGORY_COLORS.memory,
  config: ZMemoryWriteConfig,
});

/** Node use: stores the configured key/value; the answer is the `result` port. */
memoryWrite.run = async (ctx) => {
  const scope = await loadMemoryScope((ctx.deps as Services).database.db, ctx.executionId);
  const result = await remember(
    scope,
    { key: ctx.config.key, value: ctx.config.value },
    { factType: ctx.config.fact_type, scope: ctx.config.scope, overwrite: ctx.config.overwrite },
  );
  if (result.startsWith('Error:')) throw new Error(result.slice(7));
  return { outputs: { result } };
};
