import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFirstAdmin } from '../../src/auth/create-user.js';
import { checkNotRoot, checkPorts, formatDoctor, parseProcNetTcp, runDoctor } from '../../src/cli/doctor.js';
import { loadSettings } from '../../src/config.js';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { freePort } from '../helpers/processes.js';

/** Runs the same checks and printing as `pipelit doctor` for the given environment and directory. */
async function doctor(
  env: Record<string, string>,
  cwd: string,
  opts: { port?: number; skip?: string[] } = {},
) {
  const checks = await runDoctor(loadSettings(env, cwd), {
    port: opts.port ?? (await freePort()),
    skip: opts.skip ?? [],
    cwd,
  });
  return { checks, stdout: formatDoctor(checks), failed: checks.some((c) => c.status === 'FAIL') };
}

const FERNET = 'x0Rb1LF2lXbC4bR6dWTc8XoXz9Xq2Yd3sN1nG2Nf8vE=';
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function databaseWithAdmin(dir: string, mfa: boolean): Promise<string> {
  const path = join(dir, 'pipelit.db');
  const handle = openDatabase({ kind: 'sqlite', path, url: `sqlite:///${path}` });
  await migrateToLatest(handle);
  const admin = await createFirstAdmin(handle.db, dir, { username: 'boss', password: 'boss-password' });
  if (mfa && admin)
    await handle.db.updateTable('users').set({ mfa_enabled: true }).where('id', '=', admin.id).execute();
  await handle.close();
  return path;
}

describe('pipelit doctor', () => {
  it('prints every failing item and exits 1 on a bad configuration', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pipelit-doctor-bad-'));
    dirs.push(dir);
    const db = await databaseWithAdmin(dir, false);
    chmodSync(db, 0o644);
    // The encryption key committed to git (tracked .env).
    writeFileSync(join(dir, '.env'), `FIELD_ENCRYPTION_KEY=${FERNET}\n`);
    execFileSync('git', ['init', '-q'], { cwd: dir });
    execFileSync('git', ['add', '-f', '.env'], { cwd: dir });
    const res = await doctor(
      {
        SECRET_KEY: 'change-me-in-production',
        DEBUG: 'true',
        CORS_ALLOW_ALL_ORIGINS: 'true',
        ALLOWED_HOSTS: '*',
        FIELD_ENCRYPTION_KEY: FERNET,
        DATABASE_URL: `sqlite:///${db}`,
      },
      dir,
    );
    expect(res.failed).toBe(true);
    for (const name of [
      'secret_key',
      'debug',
      'cors',
      'allowed_hosts',
      'field_encryption_key',
      'sqlite_permissions',
      'admin_mfa',
    ]) {
      expect(res.stdout).toMatch(new RegExp(`^FAIL\\s+${name}\\s.*fix: `, 'm'));
    }
    expect(res.stdout).toMatch(/field_encryption_key .*git-tracked file\(s\): \.env/);
    expect(res.stdout).toMatch(/admin account\(s\) without MFA: boss/);
    expect(res.stdout).toMatch(/check\(s\) failed/);

    const missingKey = await doctor({ SECRET_KEY: 'x'.repeat(40), DATABASE_URL: `sqlite:///${db}` }, dir, {
      skip: ['not_root', 'public_ports'],
    });
    expect(missingKey.failed).toBe(true);
    expect(missingKey.checks.find((c) => c.name === 'field_encryption_key')).toMatchObject({
      status: 'FAIL',
      message: 'FIELD_ENCRYPTION_KEY is not set',
    });
  });

  it('passes every item on a good configuration', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pipelit-doctor-good-'));
    dirs.push(dir);
    const db = await databaseWithAdmin(dir, true);
    chmodSync(db, 0o600);
    // This test may run as root (CI containers): the root check is skipped, and says so.
    const skip = process.getuid?.() === 0 ? ['not_root'] : [];
    const res = await doctor(
      {
        SECRET_KEY: 'a-long-random-production-secret-value-123456',
        DEBUG: 'false',
        CORS_ALLOW_ALL_ORIGINS: 'false',
        ALLOWED_HOSTS: 'pipelit.example.com',
        FIELD_ENCRYPTION_KEY: FERNET,
        DATABASE_URL: `sqlite:///${db}`,
      },
      dir,
      { skip },
    );
    expect(res.failed, res.stdout).toBe(false);
    const lines = res.stdout.split('\n').filter((l) => /^(PASS|FAIL|WARN|SKIP) /.test(l));
    expect(lines).toHaveLength(10);
    for (const line of lines) {
      if (skip.length && /^SKIP\s+not_root\s+skipped by --skip/.test(line)) continue;
      expect(line).toMatch(/^PASS /);
    }
    expect(res.stdout).toContain('All checks passed');
  });

  it('reads listening sockets from /proc/net/tcp and flags public ones', () => {
    const tcp = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 00000000:1F40 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1',
      '   1: 0100007F:18EB 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2 1',
      '   2: 0100007F:1F41 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 3 1',
    ].join('\n');
    const tcp6 = [
      '  sl  local_address                         remote_address                        st',
      '   0: 00000000000000000000000001000000:18EB 00000000000000000000000000000000:0000 0A',
    ].join('\n');
    const sockets = [...parseProcNetTcp(tcp), ...parseProcNetTcp(tcp6)];
    expect(sockets).toEqual([
      { address: '0.0.0.0', port: 8000 },
      { address: '127.0.0.1', port: 6379 },
      { address: '::1', port: 6379 },
    ]);
    const ports = [
      { label: 'app', port: 8000 },
      { label: 'Redis', port: 6379 },
    ];
    const bad = checkPorts(ports, sockets);
    expect(bad.status).toBe('FAIL');
    expect(bad.message).toContain('app port 8000 listens on all interfaces (0.0.0.0)');
    expect(checkPorts(ports, sockets.slice(1)).status).toBe('PASS');
    expect(checkNotRoot(0).status).toBe('FAIL');
    expect(checkNotRoot(1000).status).toBe('PASS');
  });
});
