import { z } from 'zod';
import { CATEGORY_COLORS, defineNode } from './define-node.js';

/**
 * The model of an AI node, connected with an `llm` edge. Credential, model name and sampling settings
 * live in the node's common config fields (`llm_credential_id`, `model_name`, `temperature`…).
 */
export const ZAiModelConfig = z.looseObject({
  /** Anthropic native web search opt-in. */
  use_native_search: z.boolean().default(false),
});

export const aiModel = defineNode({
  type: 'ai_model',
  displayName: 'AI Model',
  description: 'The LLM (credential and model) used by the AI node it connects to.',
  category: 'sub_component',
  inputs: [],
  outputs: [{ name: 'model', data_type: 'object' }],
  config: ZAiModelConfig,
  flags: { executable: false, subComponent: true },
  palette: { label: 'AI Model', color: CATEGORY_COLORS.sub_component, icon: 'cpu' },
});
