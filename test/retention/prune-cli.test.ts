import { beforeAll, describe, expect, it } from 'vitest';
import { runPipelit } from '../helpers/processes.js';
import { seedWorkflow } from '../helpers/seed-workflow.js';
import { createTestApp } from '../helpers/test-app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { fill } from './fill-executions.js';

// Spawns bin/pipelit.js: run `npm run build` first.
describe('pipelit prune', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
    const t = await createTestApp('sqlite', {}, undefined, { database, keepDatabase: true });
    const wf = await seedWorkflow(t.services.database.db, t.admin.id, {
      slug: 'cli',
      nodes: [{ id: 'start', type: 'trigger_manual' }],
      edges: [],
    });
    await fill(
      t.services.database.db,
      wf,
      300,
      (i) => (i % 3 ? 'completed' : 'failed'),
      Date.now() - 3_600_000,
    );
    await t.close();
  }, 180_000);

  const run = (args: string[]) =>
    runPipelit(['prune', ...args], {
      cwd: database.dir,
      env: {
        DATABASE_URL: database.url,
        PIPELIT_DIR: database.dir,
        EXECUTION_RETENTION_MAX_COUNT_SUCCESS: '50',
        EXECUTION_RETENTION_MAX_COUNT_FAILED: '0',
        LOG_LEVEL: 'silent',
      },
    });

  it('counts with --dry-run, then removes by status and prints the space reclaimed', () => {
    const dry = run(['--dry-run']);
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('Would remove 150 execution(s): 150 completed, 0 failed, 0 cancelled');

    const real = run([]);
    expect(real.status, real.stderr).toBe(0);
    expect(real.stdout).toMatch(
      /Removed 150 execution\(s\): 150 completed, 0 failed, 0 cancelled in 1 batch/,
    );
    expect(real.stdout).toMatch(/Size of the database file: [\d.]+ [KM]iB → [\d.]+ [KM]iB \(reclaimed/);

    const json = JSON.parse(run(['--json']).stdout);
    expect(json).toMatchObject({
      total: 0,
      dryRun: false,
      policy: { maxCountSuccess: 50, maxCountFailed: 0 },
    });
    const left = JSON.parse(run(['--json', '--dry-run']).stdout);
    expect(left.total).toBe(0);
  });
});
