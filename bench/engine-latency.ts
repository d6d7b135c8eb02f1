/**
 * Sequential execution latency of the engine alone (no HTTP): start → completed event, for a
 * trigger → switch → reply workflow. A diagnostic for the webhook benchmark.
 *
 *   npm run bench -- engine-latency [count]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFirstAdmin } from '../src/auth/create-user.js';
import { openServices } from '../src/boot.js';
import { loadSettings } from '../src/config.js';
import { startExecution } from '../src/engine/start-execution.js';
import { silentLogger } from '../src/logger.js';
import { executionChannel } from '../src/realtime/events.js';
import { startRuntime } from '../src/runtime.js';
import { seedWorkflow } from '../test/helpers/seed-workflow.js';

const count = Number(process.argv[2] ?? 300);

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'pipelit-lat-'));
  const settings = loadSettings(
    { DATABASE_URL: `sqlite:///${join(dir, 'b.db')}`, PIPELIT_DIR: dir, LOG_LEVEL: 'silent', DEBUG: 'true' },
    dir,
  );
  const services = await openServices(settings, silentLogger());
  const runtime = await startRuntime(services, { role: 'server' });
  const db = services.database.db;
  const admin = await createFirstAdmin(db, dir, { username: 'b', password: 'bench-password' });
  const wf = {
    id: await seedWorkflow(db, admin!.id, {
      slug: 'lat',
      nodes: [
        { id: 't', type: 'trigger_manual' },
        {
          id: 's',
          type: 'switch',
          extra: { rules: [{ id: 'a', field: 'trigger.text', operator: 'equals', value: 'a' }] },
        },
        { id: 'r', type: 'reply_chat', extra: { message: 'ok' } },
      ],
      edges: [
        { from: 't', to: 's' },
        { from: 's', to: 'r', when: 'a' },
      ],
    }),
  };
  const once = async () => {
    const executionId = crypto.randomUUID();
    let done!: () => void;
    const finished = new Promise<void>((r) => {
      done = r;
    });
    const off = await services.bus.subscribe(executionChannel(executionId), (_c, m) => {
      if (m.type === 'execution_completed' || m.type === 'execution_failed') done();
    });
    const started = performance.now();
    await startExecution(services, {
      executionId,
      workflowId: wf.id,
      triggerNodeId: 't',
      userId: admin!.id,
      payload: { text: 'a' },
    });
    await finished;
    await off();
    return performance.now() - started;
  };
  for (let i = 0; i < 50; i++) await once();
  const times: number[] = [];
  for (let i = 0; i < count; i++) times.push(await once());
  times.sort((a, b) => a - b);
  const avg = times.reduce((a, b) => a + b, 0) / times.length;
  console.log(
    `sequential executions: ${count}, avg ${avg.toFixed(2)} ms, p50 ${times[Math.floor(count / 2)].toFixed(2)} ms, p99 ${times[Math.floor(count * 0.99)].toFixed(2)} ms`,
  );
  await runtime.stop();
  await services.queue.close();
  await services.database.close();
  rmSync(dir, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
