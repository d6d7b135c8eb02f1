import { z } from 'zod';
import { runRouter } from '../llm/run-router.js';
import { MESSAGES_IN } from './ai-shared.js';
import { CATEGORY_COLORS, defineNode } from './define-node.js';

/** Routes on a state field or a simple expression (`state.x == 'v'`); rule-based, no LLM call. */
export const ZRouterConfig = z.looseObject({
  condition_field: z.string().default('route'),
  condition_expression: z.string().default(''),
});

export const router = defineNode({
  type: 'router',
  displayName: 'Router',
  description: 'Routes to one branch by a state field or expression.',
  category: 'ai',
  inputs: [MESSAGES_IN],
  outputs: [{ name: 'route', data_type: 'string' }],
  config: ZRouterConfig,
  flags: { executable: true, replayable: true },
  accepts: { model: true, output_parser: true },
  palette: { label: 'Router', color: CATEGORY_COLORS.ai, icon: 'signpost' },
  run: (ctx) => runRouter(ctx),
});
