/**
 * What a deep agent has on top of the agent loop: a todo list for planning (`write_todos`,
 * `read_todos`), file tools confined to its workspace root (`ls`, `read_file`, `write_file`,
 * `edit_file`), a sandboxed shell (`execute`, bubblewrap) and delegation to inline sub-agents
 * (`task`), each a nested agent loop on the same model with the file tools.
 */
import { mkdirSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { ModelMessage } from 'ai';
import { runInSandbox } from '../sandbox/bwrap-runner.js';
import { getEnvironment } from '../sandbox/environment.js';
import { runAgentLoop } from './agent-loop.js';
import type { AiNodeContext } from './ai-node-context.js';
import { contextWindowFor } from './context-window.js';
import type { ResolvedModel } from './resolve-model.js';
import { formatCommandOutput } from './tools/run-command.js';
import { type AgentTool, errorText, obj } from './tools/types.js';
import { loadWorkspace, type Workspace } from './tools/workspace.js';
import type { UsageMeter } from './usage-meter.js';

export interface Subagent {
  name: string;
  description: string;
  system_prompt: string;
}

/** Resolves `path` inside `root`; refuses anything that leaves it (also through symlinks). */
export function confinedPath(root: string, path: string): string {
  const realRoot = realpathSync(root);
  const target = resolve(realRoot, path.replace(/^\/+/, ''));
  let probe = target;
  // The deepest existing ancestor decides where a symlinked path really points.
  while (probe !== realRoot && !safeExists(probe)) probe = dirname(probe);
  const real = safeExists(probe) ? realpathSync(probe) : probe;
  const inside = (p: string) => p === realRoot || p.startsWith(realRoot + sep);
  if (!inside(target) || !inside(real)) throw new Error(`Path '${path}' is outside the workspace.`);
  return target;
}

function safeExists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}

export function fileTools(root: string): AgentTool[] {
  const wrap = (fn: (args: Record<string, unknown>) => string) => async (args: Record<string, unknown>) => {
    try {
      return fn(args);
    } catch (err) {
      return errorText(err);
    }
  };
  return [
    {
      name: 'ls',
      description: 'List a directory of the workspace.',
      parameters: obj({ path: { type: 'string' } }),
      execute: wrap((a) => {
        const dir = confinedPath(root, String(a.path ?? '.'));
        const entries = readdirSync(dir, { withFileTypes: true }).map((e) =>
          e.isDirectory() ? `${e.name}/` : e.name,
        );
        return entries.length ? entries.sort().join('\n') : '(empty)';
      }),
    },
    {
      name: 'read_file',
      description: 'Read a text file of the workspace.',
      parameters: obj({ path: { type: 'string' } }, ['path']),
      execute: wrap((a) => readFileSync(confinedPath(root, String(a.path)), 'utf8').slice(0, 100_000)),
    },
    {
      name: 'write_file',
      description: 'Create or overwrite a text file in the workspace.',
      parameters: obj({ path: { type: 'string' }, content: { type: 'string' } }, ['path', 'content']),
      execute: wrap((a) => {
        const file = confinedPath(root, String(a.path));
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, String(a.content ?? ''));
        return `Wrote ${relative(realpathSync(root), file)}`;
      }),
    },
    {
      name: 'edit_file',
      description: 'Replace one exact occurrence of old_string with new_string in a workspace file.',
      parameters: obj(
        { path: { type: 'string' }, old_string: { type: 'string' }, new_string: { type: 'string' } },
        ['path', 'old_string', 'new_string'],
      ),
      execute: wrap((a) => {
        const file = confinedPath(root, String(a.path));
        const text = readFileSync(file, 'utf8');
        const old = String(a.old_string);
        const count = text.split(old).length - 1;
        if (count !== 1) return `Error: old_string found ${count} times (must be exactly once).`;
        writeFileSync(file, text.replace(old, String(a.new_string ?? '')));
        return 'Edited.';
      }),
    },
  ];
}

function todoTools(): AgentTool[] {
  let todos: Array<{ content: string; status: string }> = [];
  return [
    {
      name: 'write_todos',
      description:
        'Replace your plan: a list of todos, each {content, status: pending|in_progress|completed}.',
      parameters: obj(
        {
          todos: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                content: { type: 'string' },
                status: { type: 'string', enum: ['pending', 'in_progress', 'completed'] },
              },
              required: ['content', 'status'],
            },
          },
        },
        ['todos'],
      ),
      async execute(a) {
        todos = Array.isArray(a.todos) ? (a.todos as typeof todos) : [];
        return `Plan updated (${todos.length} todos).`;
      },
    },
    {
      name: 'read_todos',
      description: 'Read your current plan.',
      parameters: obj({}),
      execute: async () =>
        todos.length ? todos.map((t, i) => `${i + 1}. [${t.status}] ${t.content}`).join('\n') : '(no todos)',
    },
  ];
}

function shellTool(ai: AiNodeContext, workspace: Workspace): AgentTool {
  return {
    name: 'execute',
    description: 'Run a shell command in the sandboxed workspace (/workspace).',
    parameters: obj({ command: { type: 'string' } }, ['command']),
    async execute(a, run) {
      try {
        const res = await runInSandbox({
          command: String(a.command ?? ''),
          workspaceDir: workspace.path,
          allowNetwork: workspace.allowNetwork,
          env: workspace.env,
          timeoutMs: 300_000,
          signal: run.signal,
          environment: await getEnvironment(ai.deps.settings.sandboxMode),
        });
        return formatCommandOutput(res);
      } catch (err) {
        if (run.signal.aborted) throw err;
        return errorText(err);
      }
    },
  };
}

/** The deep agent's workspace: its `workspace_id`, else a private directory per workflow. */
export async function deepAgentWorkspace(ai: AiNodeContext, workspaceId: number | null): Promise<Workspace> {
  if (workspaceId) return loadWorkspace(ai, workspaceId);
  const path = join(ai.deps.settings.dataDir, 'workspaces', 'deep-agents', String(ai.workflow.id));
  mkdirSync(path, { recursive: true });
  return { id: 0, path, allowNetwork: false, env: {} };
}

export function deepAgentTools(opts: {
  ai: AiNodeContext;
  workspace: Workspace;
  enableTodos: boolean;
  subagents: Subagent[];
  resolved: ResolvedModel;
  meter: UsageMeter;
  emit: (type: string, data: Record<string, unknown>) => void;
}): { tools: AgentTool[]; prompt: string } {
  const files = fileTools(opts.workspace.path);
  const tools: AgentTool[] = [
    ...(opts.enableTodos ? todoTools() : []),
    ...files,
    shellTool(opts.ai, opts.workspace),
  ];
  if (opts.subagents.length) {
    const list = opts.subagents.map((s) => `- ${s.name}: ${s.description}`).join('\n');
    tools.push({
      name: 'task',
      description: `Delegate a self-contained task to a sub-agent and get its final answer. Sub-agents:\n${list}`,
      parameters: obj(
        {
          subagent_type: { type: 'string', enum: opts.subagents.map((s) => s.name) },
          description: { type: 'string' },
        },
        ['subagent_type', 'description'],
      ),
      async execute(a, run) {
        const sub = opts.subagents.find((s) => s.name === a.subagent_type);
        if (!sub) return `Error: unknown sub-agent '${String(a.subagent_type)}'`;
        const resolved = opts.resolved;
        const outcome = await runAgentLoop({
          ai: opts.ai,
          resolved,
          system: sub.system_prompt,
          messages: [{ role: 'user', content: String(a.description ?? '') } as ModelMessage],
          tools: [...fileTools(opts.workspace.path)],
          maxSteps: 25,
          meter: opts.meter,
          signal: run.signal,
          emit: opts.emit,
          persist: async () => {},
          contextWindow: contextWindowFor(resolved.modelName),
          stream: false,
        });
        return outcome.kind === 'done' ? outcome.text : 'Error: sub-agents cannot spawn child workflows.';
      },
    });
  }
  const prompt = [
    'You work in a workspace directory (your file tools see it as the root; the shell sees it as /workspace).',
    opts.enableTodos ? 'For multi-step work, first write a plan with write_todos and keep it updated.' : '',
    opts.subagents.length ? 'Delegate self-contained sub-tasks to sub-agents with the task tool.' : '',
  ]
    .filter(Boolean)
    .join(' ');
  return { tools, prompt };
}
