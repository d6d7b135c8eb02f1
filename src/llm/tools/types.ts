/** The contract between the agent loop and the tool modules (one module per tool node type). */
import type { GraphNode } from '../../engine/graph.js';
import type { Logger } from '../../logger.js';
import type { AiNodeContext } from '../ai-node-context.js';

export interface ToolRunContext {
  signal: AbortSignal;
}

/** One LLM-callable function. Tools answer errors as text (the model sees and can react to them). */
export interface AgentTool {
  name: string;
  description: string;
  /** JSON Schema of the arguments object. */
  parameters: Record<string, unknown>;
  execute(args: Record<string, unknown>, run: ToolRunContext): Promise<string>;
  /** spawn_and_await: handled by the agent loop, which turns the call into child executions. */
  spawn?: boolean;
  /** The tool node it came from (for `node_status` events with `is_tool_call`). */
  nodeId?: string;
}

export interface ToolBuildContext {
  ai: AiNodeContext;
  /** The tool node (its `extra_config` parsed by the node type's schema). */
  toolNode: GraphNode;
  config: Record<string, unknown>;
  /** The AI node's own validated extra_config (workspace_id…). */
  agentConfig: Record<string, unknown>;
  log: Logger;
}

export type ToolFactory = (b: ToolBuildContext) => Promise<AgentTool[]> | AgentTool[];

export const obj = (properties: Record<string, unknown>, required: string[] = []) => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
});

export const errorText = (err: unknown) => `Error: ${err instanceof Error ? err.message : String(err)}`;
