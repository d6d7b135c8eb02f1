/**
 * A server killed with SIGKILL in the middle of a node: the next process's reaper finds the stale
 * heartbeat, re-runs the execution from its stored state (finished nodes are not run again), and
 * the execution completes — it never stays `running`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  freePort,
  type Running,
  runPipelit,
  startPipelit,
  TEST_SECRETS,
  waitForHealth,
} from '../helpers/processes.js';

const started: Running[] = [];
let cwd = '';
afterAll(() => {
  for (const r of started) if (r.child.exitCode === null) r.child.kill('SIGKILL');
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

function call(port: number, method: string, path: string, key: string, body?: unknown): Promise<any> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method,
        agent: false,
        headers: {
          authorization: `Bearer ${key}`,
          ...(payload
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
            : {}),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (d) => {
          text += d;
        });
        res.on('end', () => {
          if ((res.statusCode ?? 500) >= 400)
            reject(new Error(`${method} ${path} → ${res.statusCode}: ${text}`));
          else resolve(text ? JSON.parse(text) : null);
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

describe('worker lost mid-node', () => {
  it('is recovered by the reaper of the next process and completes without re-running finished nodes', async () => {
    cwd = mkdtempSync(join(tmpdir(), 'pipelit-lost-'));
    const env = { ...TEST_SECRETS, ZOMBIE_EXECUTION_THRESHOLD_SECONDS: '2', RATE_LIMIT_PER_MINUTE: '0' };
    const setup = runPipelit(['setup', '--username', 'admin', '--password', 'admin-password'], { cwd, env });
    expect(setup.status, setup.stderr).toBe(0);
    const key = JSON.parse(setup.stdout).api_key as string;

    let port = await freePort();
    let server = startPipelit(['serve', '--bind', `127.0.0.1:${port}`], { cwd, env });
    started.push(server);
    await waitForHealth(port, server);

    await call(port, 'POST', '/api/v1/workflows/', key, { name: 'Lost', slug: 'lost' });
    const node = (node_id: string, component_type: string, extra_config: Record<string, unknown> = {}) =>
      call(port, 'POST', '/api/v1/workflows/lost/nodes/', key, {
        node_id,
        component_type,
        config: { extra_config },
      });
    await node('start', 'trigger_manual');
    await node('first', 'code', { code: 'return 1;' });
    await node('slow', 'code', {
      code: 'const end = Date.now() + 2500; while (Date.now() < end) {} return 2;',
      timeout_seconds: 30,
    });
    await node('last', 'reply_chat', { message: 'done {{ first.output }} {{ slow.output }}' });
    for (const [s, t] of [
      ['start', 'first'],
      ['first', 'slow'],
      ['slow', 'last'],
    ]) {
      await call(port, 'POST', '/api/v1/workflows/lost/edges/', key, {
        source_node_id: s,
        target_node_id: t,
      });
    }

    const { execution_id } = await call(port, 'POST', '/api/v1/workflows/lost/execute/', key, {});
    // Wait until `first` finished and `slow` is running, then kill the process hard.
    let firstLog: any;
    for (let i = 0; i < 200 && !firstLog; i++) {
      const detail = await call(port, 'GET', `/api/v1/executions/${execution_id}/`, key);
      firstLog = detail.logs.find((l: any) => l.node_id === 'first' && l.status === 'completed');
      if (!firstLog) await new Promise((r) => setTimeout(r, 50));
    }
    expect(firstLog).toBeTruthy();
    await new Promise((r) => setTimeout(r, 300));
    server.child.kill('SIGKILL');
    await server.exited;

    port = await freePort();
    server = startPipelit(['serve', '--bind', `127.0.0.1:${port}`], { cwd, env });
    started.push(server);
    await waitForHealth(port, server);

    let detail: any;
    const deadline = Date.now() + 30_000;
    do {
      await new Promise((r) => setTimeout(r, 200));
      detail = await call(port, 'GET', `/api/v1/executions/${execution_id}/`, key);
    } while (!['completed', 'failed'].includes(detail.status) && Date.now() < deadline);

    expect(detail.status, JSON.stringify(detail)).toBe('completed');
    expect(detail.final_output).toEqual({ output: 'done 1 2' });
    const first = detail.logs.find((l: any) => l.node_id === 'first');
    expect(first.started_at).toBe(firstLog.started_at);
    expect(first.retries).toBe(0);
    server.child.kill('SIGTERM');
    await server.exited;
  }, 90_000);
});
