import { z } from 'zod';
import { runJavaScript } from '../sandbox/quickjs-runner.js';
import { defineNode } from './define-node.js';

/**
 * Runs JavaScript in a QuickJS sandbox (no host access) with memory, time and output limits. The
 * code sees `input` (the webhook body, else the trigger payload), `trigger`, `node_outputs`,
 * `inputs` (outputs of the nodes wired into it) and `loop`; its return value — any JSON — is the
 * `output` port, unchanged.
 */
export const ZCodeConfig = z.looseObject({
  language: z.enum(['javascript']).default('javascript'),
  code: z.string().default(''),
  timeout_seconds: z.number().min(0.1).max(300).default(10),
  memory_limit_mb: z.number().int().min(1).max(512).default(64),
});

export const code = defineNode({
  type: 'code',
  displayName: 'Code',
  description: 'Runs JavaScript in a sandbox and outputs its return value.',
  category: 'logic',
  inputs: [{ name: 'input', data_type: 'any' }],
  outputs: [{ name: 'output', data_type: 'any' }],
  config: ZCodeConfig,
  flags: { executable: true, replayable: true },
  palette: { label: 'Code', color: '#64748b', icon: 'code' },
  async run(ctx) {
    if (!ctx.config.code.trim()) throw new Error('No code provided.');
    const { result, logs } = await runJavaScript(
      ctx.config.code,
      {
        input: ctx.trigger.payload ?? ctx.trigger,
        trigger: ctx.trigger,
        node_outputs: ctx.outputs,
        inputs: ctx.inputs,
        loop: ctx.loop ?? null,
      },
      {
        timeoutMs: ctx.config.timeout_seconds * 1000,
        memoryLimitBytes: ctx.config.memory_limit_mb * 1024 * 1024,
        maxOutputBytes: 1024 * 1024,
        signal: ctx.signal,
      },
    );
    return { outputs: logs.length ? { output: result, logs } : { output: result } };
  },
});
