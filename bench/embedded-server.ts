/**
 * An embedded-mode Pipelit (SQLite in a temporary folder, in-process queue, rate limits off) with a
 * first admin, for benchmarks; `stop()` closes everything and removes the folder.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../src/api/app.js';
import { createFirstAdmin } from '../src/auth/create-user.js';
import { openServices } from '../src/boot.js';
import { loadSettings } from '../src/config.js';
import { silentLogger } from '../src/logger.js';
import { startRuntime } from '../src/runtime.js';
import { closeJavaScriptSandbox } from '../src/sandbox/quickjs-runner.js';

export async function startEmbeddedServer(name: string, env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), `pipelit-bench-${name}-`));
  const file = join(dir, 'bench.db');
  const settings = loadSettings(
    {
      DATABASE_URL: `sqlite:///${file}`,
      PIPELIT_DIR: dir,
      SECRET_KEY: 'bench-secret-key-long-enough-for-production-use',
      FIELD_ENCRYPTION_KEY: 'x0Rb1LF2lXbC4bR6dWTc8XoXz9Xq2Yd3sN1nG2Nf8vE=',
      LOG_LEVEL: 'silent',
      RATE_LIMIT_PER_MINUTE: '0',
      RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '0',
      ...env,
    },
    dir,
  );
  const services = await openServices(settings, silentLogger());
  const app = await buildApp(services, { serveSpa: false });
  const runtime = await startRuntime(services, { role: 'server' });
  const db = services.database.db;
  const admin = await createFirstAdmin(db, dir, { username: 'bench', password: 'bench-password' });
  return {
    app,
    db,
    file,
    adminId: admin!.id,
    /** Closes the server; the database folder is kept when `keepFiles` is set. */
    async stop(keepFiles = false) {
      await app.close();
      await runtime.stop();
      await closeJavaScriptSandbox();
      await services.queue.close();
      await services.database.close();
      if (!keepFiles) rmSync(dir, { recursive: true, force: true });
    },
  };
}
