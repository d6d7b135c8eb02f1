import { z } from 'zod';
import { defineNode } from './define-node.js';

/**
 * Runs JavaScript in a QuickJS sandbox (no host access) with memory, time and output limits. The
 * code sees `trigger`, `node_outputs` (and each node id), `loop`; its return value — any JSON — is
 * the `output` port, unchanged.
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
  flags: { executable: true },
  palette: { label: 'Code', color: '#64748b', icon: 'code' },
});
