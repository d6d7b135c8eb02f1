import { z } from 'zod';
import { runAgentNode } from '../llm/run-agent.js';
import { agentConfigShape, MESSAGES_IN, MESSAGES_OUT, TEXT_OUTPUT } from './ai-shared.js';
import { CATEGORY_COLORS, defineNode } from './define-node.js';

/** An LLM agent with tools (tool edges), skills (skill edges) and optional conversation memory. */
export const ZAgentConfig = z.looseObject(agentConfigShape);

export const agent = defineNode({
  type: 'agent',
  displayName: 'Agent',
  description: 'An LLM that answers, calls connected tools and loops until done.',
  category: 'ai',
  inputs: [MESSAGES_IN],
  outputs: [MESSAGES_OUT, TEXT_OUTPUT],
  config: ZAgentConfig,
  flags: { executable: true },
  accepts: { model: true, tools: true, memory: true, skills: true },
  palette: { label: 'Agent', color: CATEGORY_COLORS.ai, icon: 'bot' },
  run: (ctx) => runAgentNode(ctx),
});
