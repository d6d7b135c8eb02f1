/** Ports and config pieces shared by the AI node types (agent, deep agent, categorizer, router, extractor). */
import { z } from 'zod';
import type { PortSpec } from './define-node.js';

export const MESSAGES_IN: PortSpec = {
  name: 'messages',
  data_type: 'messages',
  description: 'Conversation so far',
  required: true,
};
export const MESSAGES_OUT: PortSpec = {
  name: 'messages',
  data_type: 'messages',
  description: 'Conversation',
};
export const TEXT_OUTPUT: PortSpec = {
  name: 'output',
  data_type: 'string',
  description: 'Final answer text',
};

/** Settings common to agent and deep agent (spec §8.4). */
export const agentConfigShape = {
  conversation_memory: z.boolean().default(false),
  /** When set, the agent receives only this rendered text as one human message. */
  input_template: z.string().nullable().default(null),
  /** Sandbox workspace for connected `run_command` tools and the capability block. */
  workspace_id: z.number().int().positive().nullable().default(null),
  /** Override of the model's context window, in tokens. */
  context_window: z.number().int().positive().nullable().default(null),
  compacting: z.enum(['summarize']).nullable().default(null),
  compacting_trigger: z.number().int().min(1).max(100).default(70),
  compacting_keep: z.number().int().min(1).default(20),
  inactivity_timeout: z.number().int().positive().default(600),
  max_wall_time: z.number().int().positive().default(7200),
  max_steps: z.number().int().min(1).max(1000).default(50),
};
