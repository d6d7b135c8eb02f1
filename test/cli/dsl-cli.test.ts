import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, runPipelit, TEST_SECRETS } from '../helpers/processes.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('pipelit import and export', () => {
  it('imports a YAML file, exports the same graph, and refuses an invalid file with its line', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'pipelit-dsl-'));
    dirs.push(cwd);
    const env = { ...TEST_SECRETS };
    expect(
      runPipelit(['setup', '--username', 'admin', '--password', 'admin-password'], { cwd, env }).status,
    ).toBe(0);

    const fixture = join(ROOT, 'test', 'fixtures', 'dsl', '03-loop-filter.yaml');
    const imported = runPipelit(['import', fixture], { cwd, env });
    expect(imported.status, imported.stderr).toBe(0);
    const { slug } = JSON.parse(imported.stdout);

    const first = runPipelit(['export', slug], { cwd, env });
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain('format: pipelit/graph-v1');
    const file = join(cwd, 'exported.yaml');
    writeFileSync(file, first.stdout);
    const again = runPipelit(['import', file, '--slug', 'copy'], { cwd, env });
    expect(again.status, again.stderr).toBe(0);
    const second = runPipelit(['export', 'copy'], { cwd, env });
    // Same graph: only the identity lines (name/slug) may differ.
    const strip = (text: string) =>
      text
        .split('\n')
        .filter((l) => !/^(name|slug):/.test(l))
        .join('\n');
    expect(strip(second.stdout)).toBe(strip(first.stdout));

    const bad = join(cwd, 'bad.yaml');
    writeFileSync(bad, 'name: Broken\ntrigger: manual\nsteps:\n  - id: x\n    type: teleport\n');
    const refused = runPipelit(['import', bad], { cwd, env });
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/line \d+: Unknown step type 'teleport'/);
  });
});
