import { z } from 'zod';
import { defineTool } from './tool-shared.js';

/** Runs a code snippet under bubblewrap in the agent's workspace (documented by the reference, never shipped there). */
export const codeExecute = defineTool({
  type: 'code_execute',
  displayName: 'Code Execute',
  description: 'Lets the agent run code snippets in a sandbox.',
  category: 'tool',
  icon: 'square-code',
  config: z.looseObject({
    language: z.enum(['javascript', 'python', 'bash']).default('javascript'),
    timeout_seconds: z.number().int().min(1).max(300).default(30),
  }),
});
