import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, runPipelit, TEST_SECRETS } from '../helpers/processes.js';

describe('pipelit worker / queue info refuse to start without Redis', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pipelit-worker-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const env = { ...TEST_SECRETS, PIPELIT_DIR: dir, DATABASE_URL: `sqlite:///${join(dir, 'x.db')}` };

  it('exits non-zero with one clear line when REDIS_URL is unset', () => {
    const res = runPipelit(['worker', 'workflows'], { cwd: dir, env });
    expect(res.status).toBe(2);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toMatch(/REDIS_URL is not set/);
    expect(runPipelit(['queue', 'info'], { cwd: dir, env }).stderr).toMatch(/REDIS_URL is not set/);
  });

  it('exits non-zero with one clear line when Redis is unreachable', async () => {
    const port = await freePort();
    const res = runPipelit(['worker', 'workflows', '--with-scheduler'], {
      cwd: dir,
      env: { ...env, REDIS_URL: `redis://:hunter2@127.0.0.1:${port}/0` },
    });
    expect(res.status).toBe(2);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toMatch(/Redis is not reachable at redis:\/\/:\*\*\*@127\.0\.0\.1/);
    expect(res.stderr).not.toContain('hunter2');
  });

  it('refuses an unknown queue name', () => {
    const res = runPipelit(['worker', 'default'], {
      cwd: dir,
      env: { ...env, REDIS_URL: 'redis://127.0.0.1:1' },
    });
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/only queue is "workflows"/);
  });
});
