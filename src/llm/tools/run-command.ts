/**
 * `run_command(command)`: a shell command under bubblewrap in the AI node's workspace (read-only
 * system, the workspace at /workspace, no network unless the workspace allows it, time and output
 * limits). No sandbox → a clear error; there is no unsandboxed fallback.
 */
import { runInSandbox } from '../../sandbox/bwrap-runner.js';
import { getEnvironment } from '../../sandbox/environment.js';
import { type AgentTool, errorText, obj, type ToolFactory } from './types.js';
import { loadWorkspace } from './workspace.js';

const OUTPUT_LIMIT = 50_000;

/** The reference's output shape: stdout+stderr, `[exit code: N]`, `(no output)`, middle truncation. */
export function formatCommandOutput(res: {
  stdout: string;
  stderr: string;
  exit_code: number;
  timed_out: boolean;
}) {
  let out = [res.stdout, res.stderr].filter(Boolean).join(res.stdout && res.stderr ? '\n' : '');
  if (out.length > OUTPUT_LIMIT) {
    const cut = out.length - OUTPUT_LIMIT;
    out = `${out.slice(0, OUTPUT_LIMIT / 2)}\n… (${cut} chars truncated) …\n${out.slice(-OUTPUT_LIMIT / 2)}`;
  }
  if (!out) out = '(no output)';
  if (res.timed_out) out += '\n[timed out]';
  if (res.exit_code !== 0) out += `\n[exit code: ${res.exit_code}]`;
  return out;
}

export const runCommandTool: ToolFactory = (b): AgentTool[] => {
  const timeoutMs = Number(b.config.timeout ?? 300) * 1000;
  return [
    {
      name: 'run_command',
      description: 'Run a shell command (bash) in your sandboxed workspace directory and return its output.',
      parameters: obj({ command: { type: 'string' } }, ['command']),
      nodeId: b.toolNode.nodeId,
      async execute(args, run) {
        try {
          const workspace = await loadWorkspace(b.ai, b.agentConfig.workspace_id);
          const environment = await getEnvironment(b.ai.deps.settings.sandboxMode);
          const res = await runInSandbox({
            command: String(args.command ?? ''),
            workspaceDir: workspace.path,
            allowNetwork: workspace.allowNetwork,
            env: workspace.env,
            timeoutMs,
            signal: run.signal,
            environment,
          });
          return formatCommandOutput(res);
        } catch (err) {
          if (run.signal.aborted) throw err;
          return errorText(err);
        }
      },
    },
  ];
};
