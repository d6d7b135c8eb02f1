/**
 * `execute_code(code)`: runs a snippet (JavaScript with node, Python or bash) under bubblewrap in the
 * AI node's workspace, with the same limits as run_command. No unsandboxed fallback.
 */
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInSandbox } from '../../sandbox/bwrap-runner.js';
import { getEnvironment } from '../../sandbox/environment.js';
import { formatCommandOutput } from './run-command.js';
import { type AgentTool, errorText, obj, type ToolFactory } from './types.js';
import { loadWorkspace } from './workspace.js';

const RUNNERS: Record<string, { ext: string; cmd: string }> = {
  javascript: { ext: 'js', cmd: 'node' },
  python: { ext: 'py', cmd: 'python3' },
  bash: { ext: 'sh', cmd: 'bash' },
};

export const codeExecuteTool: ToolFactory = (b): AgentTool[] => {
  const language = String(b.config.language ?? 'javascript');
  const runner = RUNNERS[language] ?? RUNNERS.javascript;
  const timeoutMs = Number(b.config.timeout_seconds ?? 30) * 1000;
  return [
    {
      name: 'execute_code',
      description: `Run a ${language} program in a sandbox and return what it prints.`,
      parameters: obj({ code: { type: 'string' } }, ['code']),
      nodeId: b.toolNode.nodeId,
      async execute(args, run) {
        let file: string | null = null;
        try {
          const workspace = await loadWorkspace(b.ai, b.agentConfig.workspace_id);
          const environment = await getEnvironment(b.ai.deps.settings.sandboxMode);
          const name = `.code_run_${randomBytes(6).toString('hex')}.${runner.ext}`;
          file = join(workspace.path, name);
          writeFileSync(file, String(args.code ?? ''));
          const res = await runInSandbox({
            command: `${runner.cmd} ./${name}`,
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
        } finally {
          if (file) rmSync(file, { force: true });
        }
      },
    },
  ];
};
