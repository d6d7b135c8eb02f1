import { z } from 'zod';
import { defineTool } from './tool-shared.js';

/** Runs a shell command in the sandbox of the parent agent's workspace. */
export const runCommand = defineTool({
  type: 'run_command',
  displayName: 'Run Command',
  description: 'Lets the agent run shell commands in its sandboxed workspace.',
  category: 'sub_component',
  icon: 'terminal',
  config: z.looseObject({ timeout: z.number().int().min(1).max(3600).default(300) }),
});
