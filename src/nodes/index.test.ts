import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REFERENCE_NODE_TYPES as REFERENCE_TYPES } from '../../test/fixtures/reference-node-types.js';
import { NODE_TYPES } from './index.js';

const here = dirname(fileURLToPath(import.meta.url));

const isDescriptor = (v: unknown): v is { type: string } =>
  typeof v === 'object' && v !== null && 'type' in v && 'flags' in v && 'config' in v && 'palette' in v;

describe('node type list', () => {
  it('covers the 38 reference types', () => {
    expect(REFERENCE_TYPES).toHaveLength(38);
    const types = new Set(NODE_TYPES.map((d) => d.type));
    expect(REFERENCE_TYPES.filter((t) => !types.has(t))).toEqual([]);
  });

  it('lists every descriptor exported by a file of this folder, once', async () => {
    const listed = new Set<unknown>(NODE_TYPES);
    const missing: string[] = [];
    const files = readdirSync(here).filter(
      (f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'index.ts',
    );
    for (const file of files) {
      const mod = (await import(join(here, file))) as Record<string, unknown>;
      for (const [name, value] of Object.entries(mod)) {
        if (isDescriptor(value) && !listed.has(value)) missing.push(`${file}: ${name}`);
      }
    }
    expect(missing).toEqual([]);
    expect(new Set(NODE_TYPES.map((d) => d.type)).size).toBe(NODE_TYPES.length);
  });

  it('gives sub-components the right flags and AI nodes the right accepts', () => {
    const byType = new Map(NODE_TYPES.map((d) => [d.type, d]));
    for (const t of [
      'ai_model',
      'run_command',
      'memory_read',
      'memory_write',
      'output_parser',
      'skill',
      'whoami',
    ]) {
      expect(byType.get(t)?.flags).toMatchObject({ subComponent: true, executable: false });
    }
    expect(byType.get('agent')?.accepts).toMatchObject({ model: true, tools: true, skills: true });
    expect(byType.get('categorizer')?.accepts).toMatchObject({ model: true, output_parser: true });
    expect(byType.get('agent')?.config.parse({})).toMatchObject({ max_steps: 50, compacting_trigger: 70 });
  });
});
