/**
 * `spawn_and_await(tasks)`: the agent loop turns this call into child executions (the engine runs
 * them and re-runs the agent with their results, in order); the results become the tool's answer.
 */
import type { ChildRequest } from '../../nodes/define-node.js';
import type { AgentTool, ToolFactory } from './types.js';

export class SpawnInputError extends Error {}

export function spawnRequests(args: Record<string, unknown>): ChildRequest[] {
  const tasks = args.tasks;
  if (!Array.isArray(tasks) || tasks.length === 0)
    throw new SpawnInputError('spawn_and_await: no tasks provided');
  return tasks.map((t, i) => {
    if (!t || typeof t !== 'object' || typeof (t as Record<string, unknown>).workflow_slug !== 'string') {
      throw new SpawnInputError(`spawn_and_await: task ${i} needs a workflow_slug`);
    }
    const task = t as Record<string, unknown>;
    const data =
      task.input_data && typeof task.input_data === 'object'
        ? (task.input_data as Record<string, unknown>)
        : {};
    return {
      workflowSlug: String(task.workflow_slug),
      payload: { text: String(task.input_text ?? ''), ...data },
    };
  });
}

export const spawnAndAwaitTool: ToolFactory = (b): AgentTool[] => [
  {
    name: 'spawn_and_await',
    description:
      'Run workflows as child tasks in parallel and wait for all results. workflow_slug "self" runs this workflow.',
    parameters: {
      type: 'object',
      properties: {
        tasks: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              workflow_slug: { type: 'string' },
              input_text: { type: 'string' },
              input_data: { type: 'object' },
            },
            required: ['workflow_slug'],
          },
        },
      },
      required: ['tasks'],
    },
    spawn: true,
    nodeId: b.toolNode.nodeId,
    execute: async () => 'spawn_and_await is handled by the agent loop.',
  },
];
