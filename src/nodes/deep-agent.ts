import { z } from 'zod';
import { deepAgentTools, deepAgentWorkspace } from '../llm/deep-agent-tools.js';
import { runAgentNode } from '../llm/run-agent.js';
import { agentConfigShape, MESSAGES_IN, MESSAGES_OUT, TEXT_OUTPUT } from './ai-shared.js';
import { CATEGORY_COLORS, defineNode } from './define-node.js';

const ZSubagent = z.looseObject({
  name: z.string().min(1),
  description: z.string().min(1),
  system_prompt: z.string().min(1),
  model: z.string().optional(),
});

/** An agent with planning (todos), a sandboxed shell and filesystem, and inline sub-agents. */
export const ZDeepAgentConfig = z.looseObject({
  ...agentConfigShape,
  enable_todos: z.boolean().default(true),
  subagents: z.array(ZSubagent).default([]),
  /** Used when no workspace is chosen. */
  filesystem_root_dir: z.string().nullable().default(null),
});

export const deepAgent = defineNode({
  type: 'deep_agent',
  displayName: 'Deep Agent',
  description: 'An agent with planning, a sandboxed shell and files, and sub-agents.',
  category: 'ai',
  inputs: [MESSAGES_IN],
  outputs: [MESSAGES_OUT, TEXT_OUTPUT],
  config: ZDeepAgentConfig,
  flags: { executable: true },
  accepts: { model: true, tools: true, memory: true, skills: true },
  palette: { label: 'Deep Agent', color: CATEGORY_COLORS.ai, icon: 'brain' },
  run: (ctx) =>
    runAgentNode(ctx, async (ai, run) =>
      deepAgentTools({
        ai,
        workspace: await deepAgentWorkspace(ai, ctx.config.workspace_id),
        enableTodos: ctx.config.enable_todos,
        subagents: ctx.config.subagents,
        resolved: run.resolved,
        meter: run.meter,
        emit: run.emit,
      }),
    ),
});
