import { mkdtempSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  freePort,
  httpGet,
  type Running,
  runPipelit,
  startPipelit,
  TEST_SECRETS,
  waitForHealth,
} from '../helpers/processes.js';
import { createTestDatabase, dbKinds } from '../helpers/test-database.js';

const started: Running[] = [];
const dirs: string[] = [];
afterAll(() => {
  for (const r of started) if (r.child.exitCode === null) r.child.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pipelit-serve-'));
  dirs.push(dir);
  return dir;
}

const pidsOf = async (port: number, calls: number) => {
  const pids = new Set<number>();
  for (let i = 0; i < calls; i++) pids.add(JSON.parse((await httpGet(port, '/health')).body).pid);
  return pids;
};

describe('pipelit serve', () => {
  it('starts on a fresh folder with SQLite under ./data and says how to create the first admin', async () => {
    const cwd = tempDir();
    const port = await freePort();
    const run = startPipelit(['serve', '--bind', `127.0.0.1:${port}`], { cwd, env: {} });
    started.push(run);
    await waitForHealth(port, run);
    const health = JSON.parse((await httpGet(port, '/health')).body);
    expect(health).toMatchObject({ status: 'ok', database: true, mode: 'embedded' });
    await new Promise((r) => setTimeout(r, 200));
    expect(run.output()).toContain(`Pipelit is running at http://127.0.0.1:${port}`);
    expect(run.output()).toContain('npx pipelit setup --username admin');
    expect(run.output()).toContain('Generated SECRET_KEY and FIELD_ENCRYPTION_KEY into .env');
    run.child.kill('SIGTERM');
    expect((await run.exited).code).toBe(0);
    const { existsSync } = await import('node:fs');
    expect(existsSync(join(cwd, 'data', 'pipelit.db'))).toBe(true);
  });

  it('answers from 4 processes, replaces a killed one, and exits 0 on SIGTERM after in-flight requests', async () => {
    const cwd = tempDir();
    const port = await freePort();
    const run = startPipelit(
      ['serve', '--workers', '4', '--bind', `127.0.0.1:${port}`, '--graceful-timeout', '10'],
      {
        cwd,
        env: TEST_SECRETS,
      },
    );
    started.push(run);
    await waitForHealth(port, run);
    // Give every process time to listen, then collect the pids that answer.
    let pids = new Set<number>();
    for (let i = 0; i < 50 && pids.size < 4; i++) {
      for (const pid of await pidsOf(port, 8)) pids.add(pid);
    }
    expect(pids.size).toBe(4);

    const victim = [...pids][0];
    process.kill(victim, 'SIGKILL');
    const deadline = Date.now() + 10_000;
    let replaced = false;
    while (Date.now() < deadline && !replaced) {
      const now = await pidsOf(port, 8).catch(() => new Set<number>());
      replaced = [...now].some((p) => !pids.has(p));
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(replaced).toBe(true);
    pids = await pidsOf(port, 8);
    expect(pids.has(victim)).toBe(false);

    // An in-flight request: send headers and half the body, SIGTERM the primary, then finish the body.
    const body = JSON.stringify({ username: 'nobody', password: 'wrong-password' });
    const socket = new Socket();
    await new Promise<void>((resolve) => socket.connect(port, '127.0.0.1', resolve));
    let response = '';
    socket.on('data', (d) => {
      response += d;
    });
    socket.write(
      `POST /api/v1/auth/token/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body.slice(0, 10)}`,
    );
    await new Promise((r) => setTimeout(r, 300));
    run.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    socket.write(body.slice(10));
    const result = await run.exited;
    await new Promise((r) => setTimeout(r, 100));
    expect(response).toMatch(/^HTTP\/1\.1 401/);
    expect(response).toContain('Invalid credentials.');
    expect(result.code).toBe(0);
  }, 90_000);

  it.each(dbKinds())(
    'two servers started at once on one empty %s database both come up',
    async (kind) => {
      const database = await createTestDatabase(kind);
      try {
        const ports = [await freePort(), await freePort()];
        const runs = ports.map((port) =>
          startPipelit(['serve', '--bind', `127.0.0.1:${port}`], {
            cwd: database.dir,
            env: { ...TEST_SECRETS, DATABASE_URL: database.url },
          }),
        );
        started.push(...runs);
        await Promise.all(ports.map((port, i) => waitForHealth(port, runs[i])));
        for (const run of runs) run.child.kill('SIGTERM');
        for (const run of runs) expect((await run.exited).code).toBe(0);
      } finally {
        await database.drop();
      }
    },
    60_000,
  );

  it('refuses bad settings and flags with one clear line and a non-zero exit', () => {
    const cwd = tempDir();
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [['serve'], { ...TEST_SECRETS, DATABASE_URL: 'foo' }, /^pipelit: DATABASE_URL: /],
      [['serve', '--workers', '0'], TEST_SECRETS, /^pipelit: --workers: must be a whole number ≥ 1/],
      [['serve', '--bind', 'nowhere'], TEST_SECRETS, /^pipelit: --bind: expected HOST:PORT/],
      [['serve'], { ...TEST_SECRETS, LOG_LEVEL: 'loud' }, /^pipelit: LOG_LEVEL: /],
      [
        ['serve'],
        { SECRET_KEY: 'change-me-in-production', FIELD_ENCRYPTION_KEY: TEST_SECRETS.FIELD_ENCRYPTION_KEY },
        /^pipelit: SECRET_KEY: the default value is refused/,
      ],
      [['migrate'], { DATABASE_URL: 'mysql://x' }, /^pipelit: DATABASE_URL: /],
    ];
    for (const [args, env, pattern] of cases) {
      const res = runPipelit(args, { cwd, env });
      expect(res.status, `${args.join(' ')} ${JSON.stringify(env)}`).not.toBe(0);
      expect(res.stderr.trim().split('\n')[0]).toMatch(pattern);
      expect(res.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
