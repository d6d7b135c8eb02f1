/**
 * Tool factories by node type (one module per tool type). An AI node turns each node wired into it
 * by a `tool` edge into LLM-callable functions through this map.
 */

import { identifyUserTool, recallTool, rememberTool } from '../../memory/memory-tools.js';
import { calculatorTool } from './calculator.js';
import { codeExecuteTool } from './code-execute.js';
import { datetimeTool } from './datetime.js';
import { httpRequestTool } from './http-request.js';
import { platformApiTool } from './platform-api.js';
import {
  schedulerTools,
  systemHealthTool,
  whoamiTool,
  workflowCreateTool,
  workflowDiscoverTool,
} from './platform-tools.js';
import { runCommandTool } from './run-command.js';
import { spawnAndAwaitTool } from './spawn-and-await.js';
import type { AgentTool, ToolBuildContext, ToolFactory } from './types.js';
import { webSearchTool } from './web-search.js';

export const TOOL_FACTORIES: Record<string, ToolFactory> = {
  calculator: calculatorTool,
  datetime: datetimeTool,
  http_request: httpRequestTool,
  web_search: webSearchTool,
  run_command: runCommandTool,
  code_execute: codeExecuteTool,
  whoami: whoamiTool,
  workflow_discover: workflowDiscoverTool,
  workflow_create: workflowCreateTool,
  scheduler_tools: schedulerTools,
  system_health: systemHealthTool,
  platform_api: platformApiTool,
  spawn_and_await: spawnAndAwaitTool,
  memory_read: recallTool,
  memory_write: rememberTool,
  identify_user: identifyUserTool,
};

/** Builds the tools of an AI node. A tool type without a factory yields a tool that says so. */
export async function buildTools(base: Omit<ToolBuildContext, 'toolNode' | 'config'>): Promise<AgentTool[]> {
  // Loaded lazily: the node registry imports the AI nodes, which import this module.
  const { getNodeType } = await import('../../nodes/registry.js');
  const tools: AgentTool[] = [];
  for (const toolNode of base.ai.tools) {
    const type = getNodeType(toolNode.componentType);
    const parsed = type?.config.safeParse(toolNode.config.extra_config);
    const config = (parsed?.success ? parsed.data : toolNode.config.extra_config) as Record<string, unknown>;
    const factory = TOOL_FACTORIES[toolNode.componentType];
    if (!factory) {
      tools.push({
        name: toolNode.componentType,
        description: `${type?.displayName ?? toolNode.componentType} (not available yet)`,
        parameters: { type: 'object', properties: {}, additionalProperties: true },
        nodeId: toolNode.nodeId,
        execute: async () =>
          `Error: the ${toolNode.componentType} tool is not available yet in this version of Pipelit.`,
      });
      continue;
    }
    tools.push(...(await factory({ ...base, toolNode, config })));
  }
  // Two tool nodes of one type would give the model duplicate names: suffix them.
  const seen = new Map<string, number>();
  for (const t of tools) {
    const n = seen.get(t.name) ?? 0;
    seen.set(t.name, n + 1);
    if (n > 0) t.name = `${t.name}_${n + 1}`;
  }
  return tools;
}
