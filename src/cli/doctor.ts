/**
 * `pipelit doctor`: checks every item of the production security checklist that software can see.
 * One line per item (`PASS`/`FAIL`/`WARN`/`SKIP` + name + what to do); `--json` for machines; the exit
 * code is 1 when any item FAILs. HTTPS and firewalls cannot be seen from here: the port check only
 * tells whether the app or Redis listens on a public interface.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { Redis } from 'ioredis';
import { isFernetKey } from '../auth/fernet.js';
import { loadSettings, type Settings } from '../config.js';
import { openDatabase } from '../db/database.js';
import { toBool } from '../db/values.js';
import { UsageError } from './fail.js';
import { DEFAULT_SECRET_KEY, MIN_SECRET_KEY_LENGTH } from './production-checks.js';

export type CheckStatus = 'PASS' | 'FAIL' | 'WARN' | 'SKIP';

export interface DoctorCheck {
  name: string;
  status: CheckStatus;
  message: string;
  /** How to fix it (empty when it passes). */
  fix: string;
}

export interface DoctorOptions {
  /** The app port to look for among listening sockets (default 8000). */
  port: number;
  /** Check names to skip (reported as SKIP). */
  skip: string[];
  /** Where `git` looks for tracked files (default: the working directory). */
  cwd: string;
}

const DEFAULT_ALLOWED_HOSTS = ['localhost', '127.0.0.1', '::1'];
const pass = (name: string, message: string): DoctorCheck => ({ name, status: 'PASS', message, fix: '' });
const fail = (name: string, message: string, fix: string): DoctorCheck => ({
  name,
  status: 'FAIL',
  message,
  fix,
});
const warn = (name: string, message: string, fix: string): DoctorCheck => ({
  name,
  status: 'WARN',
  message,
  fix,
});

export function checkSecretKey(s: Settings): DoctorCheck {
  const fix = 'set SECRET_KEY to a long random value, e.g. `openssl rand -base64 48`';
  if (s.secretKey === DEFAULT_SECRET_KEY) return fail('secret_key', 'SECRET_KEY is the default value', fix);
  if (s.secretKey.length < MIN_SECRET_KEY_LENGTH)
    return fail('secret_key', `SECRET_KEY is shorter than ${MIN_SECRET_KEY_LENGTH} characters`, fix);
  return pass('secret_key', 'SECRET_KEY is set, not the default, long enough');
}

export function checkDebug(s: Settings): DoctorCheck {
  return s.debug ? fail('debug', 'DEBUG=true', 'set DEBUG=false') : pass('debug', 'DEBUG=false');
}

export function checkCors(s: Settings): DoctorCheck {
  return s.corsAllowAllOrigins
    ? fail(
        'cors',
        'CORS_ALLOW_ALL_ORIGINS=true: any web page may call the API',
        'set CORS_ALLOW_ALL_ORIGINS=false (and CORS_ALLOWED_ORIGINS if another origin needs access)',
      )
    : pass('cors', 'CORS_ALLOW_ALL_ORIGINS=false');
}

export function checkAllowedHosts(s: Settings): DoctorCheck {
  const fix = 'set ALLOWED_HOSTS to your domain name(s), e.g. ALLOWED_HOSTS=pipelit.example.com';
  if (s.allowedHosts.includes('*')) return fail('allowed_hosts', 'ALLOWED_HOSTS contains *', fix);
  if (s.allowedHosts.length === 0) return fail('allowed_hosts', 'ALLOWED_HOSTS is empty', fix);
  const isDefault =
    s.allowedHosts.length === DEFAULT_ALLOWED_HOSTS.length &&
    DEFAULT_ALLOWED_HOSTS.every((h) => s.allowedHosts.includes(h));
  if (isDefault)
    return warn(
      'allowed_hosts',
      'ALLOWED_HOSTS is the default (local names only; a public domain is refused)',
      fix,
    );
  return pass('allowed_hosts', `ALLOWED_HOSTS=${s.allowedHosts.join(',')}`);
}

/** Files tracked by git in `cwd` that contain `needle`; null when `cwd` is not in a git work tree. */
export function gitTrackedFilesContaining(cwd: string, needle: string): string[] | null {
  try {
    execFileSync('git', ['rev-parse', '--is-inside-work-tree'], { cwd, stdio: 'pipe' });
  } catch {
    return null;
  }
  try {
    const out = execFileSync('git', ['grep', '-l', '-F', '-e', needle, '--', '.'], { cwd, stdio: 'pipe' });
    return out.toString().split('\n').filter(Boolean);
  } catch (err) {
    // git grep exits 1 when nothing matches.
    if ((err as { status?: number }).status === 1) return [];
    throw err;
  }
}

export function checkFieldEncryptionKey(s: Settings, cwd: string): DoctorCheck {
  const name = 'field_encryption_key';
  if (!s.fieldEncryptionKey)
    return fail(
      name,
      'FIELD_ENCRYPTION_KEY is not set',
      'generate one with `pipelit generate-key` and put it in .env',
    );
  if (!isFernetKey(s.fieldEncryptionKey))
    return fail(
      name,
      'FIELD_ENCRYPTION_KEY is not a valid Fernet key',
      'generate one with `pipelit generate-key`',
    );
  let tracked: string[] | null;
  try {
    tracked = gitTrackedFilesContaining(cwd, s.fieldEncryptionKey);
  } catch {
    return warn(
      name,
      'FIELD_ENCRYPTION_KEY is valid; could not ask git whether it is committed',
      'make sure the key is in no committed file',
    );
  }
  if (tracked?.length) {
    return fail(
      name,
      `FIELD_ENCRYPTION_KEY appears in git-tracked file(s): ${tracked.join(', ')}`,
      'remove it from version control (`git rm --cached <file>`, add it to .gitignore) and rotate the key',
    );
  }
  return pass(
    name,
    tracked
      ? 'FIELD_ENCRYPTION_KEY is valid and in no git-tracked file'
      : 'FIELD_ENCRYPTION_KEY is valid (not in a git work tree)',
  );
}

export function checkSqlitePermissions(s: Settings): DoctorCheck {
  const name = 'sqlite_permissions';
  if (s.database.kind !== 'sqlite') return pass(name, 'PostgreSQL in use (no database file)');
  if (s.database.path === ':memory:') return pass(name, 'in-memory SQLite');
  if (!existsSync(s.database.path))
    return warn(
      name,
      `database file ${s.database.path} does not exist yet`,
      `after first start: chmod 600 ${s.database.path}`,
    );
  const mode = statSync(s.database.path).mode & 0o777;
  if (mode & 0o077)
    return fail(
      name,
      `database file mode is ${mode.toString(8)} (readable by others)`,
      `chmod 600 ${s.database.path}`,
    );
  return pass(name, `database file mode is ${mode.toString(8).padStart(3, '0')}`);
}

export function checkNotRoot(uid: number | undefined = process.getuid?.()): DoctorCheck {
  if (uid === undefined) return pass('not_root', 'no POSIX user ids on this platform');
  return uid === 0
    ? fail(
        'not_root',
        'running as root',
        'run Pipelit as an unprivileged system user (e.g. `User=pipelit` in systemd)',
      )
    : pass('not_root', `running as uid ${uid}`);
}

export interface ListeningSocket {
  address: string;
  port: number;
}

/** Decodes the hex address of /proc/net/tcp{,6} (little-endian 32-bit words). */
function decodeProcAddress(hex: string): string {
  const words = hex.match(/.{8}/g) ?? [];
  const bytes = words.flatMap((w) => (w.match(/.{2}/g) ?? []).reverse().map((b) => Number.parseInt(b, 16)));
  if (bytes.length === 4) return bytes.join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  const text = groups.join(':');
  if (text === '0:0:0:0:0:0:0:0') return '::';
  if (text === '0:0:0:0:0:0:0:1') return '::1';
  if (text.startsWith('0:0:0:0:0:ffff:')) return `::ffff:${bytes.slice(12).join('.')}`;
  return text;
}

/** Listening TCP sockets from /proc/net/tcp and tcp6 text (state 0A). */
export function parseProcNetTcp(text: string): ListeningSocket[] {
  const out: ListeningSocket[] = [];
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 4 || cols[3] !== '0A') continue;
    const [addr, port] = cols[1].split(':');
    out.push({ address: decodeProcAddress(addr), port: Number.parseInt(port, 16) });
  }
  return out;
}

const isLoopback = (address: string) =>
  address === '::1' ||
  address.startsWith('127.') ||
  address.startsWith('::ffff:127.') ||
  address === 'localhost';

export function checkPorts(
  ports: { label: string; port: number }[],
  sockets: ListeningSocket[] | null,
): DoctorCheck {
  const name = 'public_ports';
  if (!sockets)
    return warn(
      name,
      'cannot read /proc/net/tcp (not Linux?)',
      'make sure a firewall blocks ports 8000 and 6379 from the internet',
    );
  const exposed: string[] = [];
  for (const { label, port } of ports) {
    for (const s of sockets.filter((x) => x.port === port && !isLoopback(x.address))) {
      exposed.push(
        `${label} port ${port} listens on ${s.address === '0.0.0.0' || s.address === '::' ? `all interfaces (${s.address})` : s.address}`,
      );
    }
  }
  if (exposed.length)
    return fail(
      name,
      [...new Set(exposed)].join('; '),
      'bind to 127.0.0.1 behind the reverse proxy (`pipelit serve --bind 127.0.0.1:8000`, Redis `bind 127.0.0.1`) or firewall these ports',
    );
  return pass(name, `no public listener on ${ports.map((p) => `${p.label} port ${p.port}`).join(', ')}`);
}

function readListeningSockets(): ListeningSocket[] | null {
  const files = ['/proc/net/tcp', '/proc/net/tcp6'].filter((f) => existsSync(f));
  if (!files.length) return null;
  return files.flatMap((f) => parseProcNetTcp(readFileSync(f, 'utf8')));
}

export async function checkRedis(s: Settings): Promise<DoctorCheck> {
  const name = 'redis';
  if (!s.redisUrl) return pass(name, 'REDIS_URL not set (embedded mode, no Redis)');
  const url = new URL(s.redisUrl);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || 6379);
  const fix =
    'bind Redis to 127.0.0.1 (`bind 127.0.0.1 -::1`) or set `requirepass` and put the password in REDIS_URL';
  // Without credentials: does this Redis answer anyone?
  const bare = new Redis({
    host,
    port,
    lazyConnect: true,
    connectTimeout: 2000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    tls: url.protocol === 'rediss:' ? {} : undefined,
  });
  bare.on('error', () => {});
  try {
    await bare.connect();
    try {
      await bare.ping();
    } catch (err) {
      if (/NOAUTH|WRONGPASS|AUTH/i.test((err as Error).message))
        return pass(name, 'Redis requires authentication');
      throw err;
    }
    let binds: string[] | null = null;
    try {
      const reply = (await bare.call('CONFIG', 'GET', 'bind')) as string[];
      binds = (reply[1] ?? '')
        .split(/\s+/)
        .filter(Boolean)
        .map((b) => b.replace(/^-/, ''));
    } catch {}
    if (binds?.length && binds.every(isLoopback))
      return pass(name, `Redis has no password but is bound to ${binds.join(' ')}`);
    if (binds)
      return fail(
        name,
        `Redis answers without a password and is bound to ${binds.join(' ') || 'all interfaces'}`,
        fix,
      );
    if (isLoopback(host))
      return warn(
        name,
        'Redis answers without a password on loopback; its bind setting could not be read',
        fix,
      );
    return fail(name, `Redis at ${host}:${port} answers without a password`, fix);
  } catch (err) {
    return warn(
      name,
      `could not reach Redis at ${host}:${port}: ${(err as Error).message}`,
      'start Redis, then run doctor again',
    );
  } finally {
    bare.disconnect();
  }
}

export async function checkAdminMfa(s: Settings): Promise<DoctorCheck> {
  const name = 'admin_mfa';
  // Opening a missing SQLite file would create it: report instead.
  if (s.database.kind === 'sqlite' && s.database.path !== ':memory:' && !existsSync(s.database.path))
    return warn(
      name,
      'no database yet',
      'start Pipelit (or `pipelit migrate`), create the admin, enable MFA',
    );
  const database = openDatabase(s.database);
  try {
    const admins = await database.db
      .selectFrom('users')
      .select(['username', 'mfa_enabled'])
      .where('role', '=', 'admin')
      .where('deleted_at', 'is', null)
      .execute();
    if (!admins.length) return warn(name, 'no admin account yet', 'create one, then enable MFA for it');
    const without = admins.filter((a) => !toBool(a.mfa_enabled)).map((a) => a.username);
    if (without.length)
      return fail(
        name,
        `admin account(s) without MFA: ${without.join(', ')}`,
        'enable MFA for each admin on the Settings page',
      );
    return pass(name, `MFA is enabled on all ${admins.length} admin account(s)`);
  } catch (err) {
    return warn(
      name,
      `could not read users: ${(err as Error).message}`,
      'run `pipelit migrate` and create the admin account',
    );
  } finally {
    await database.close();
  }
}

export const CHECK_NAMES = [
  'secret_key',
  'debug',
  'cors',
  'allowed_hosts',
  'field_encryption_key',
  'sqlite_permissions',
  'not_root',
  'redis',
  'public_ports',
  'admin_mfa',
] as const;

export async function runDoctor(s: Settings, opts: DoctorOptions): Promise<DoctorCheck[]> {
  const redisPort = s.redisUrl ? Number(new URL(s.redisUrl).port || 6379) : 6379;
  const ports = [
    { label: 'app', port: opts.port },
    { label: 'Redis', port: redisPort },
  ];
  const checks: Record<(typeof CHECK_NAMES)[number], () => DoctorCheck | Promise<DoctorCheck>> = {
    secret_key: () => checkSecretKey(s),
    debug: () => checkDebug(s),
    cors: () => checkCors(s),
    allowed_hosts: () => checkAllowedHosts(s),
    field_encryption_key: () => checkFieldEncryptionKey(s, opts.cwd),
    sqlite_permissions: () => checkSqlitePermissions(s),
    not_root: () => checkNotRoot(),
    redis: () => checkRedis(s),
    public_ports: () => checkPorts(ports, readListeningSockets()),
    admin_mfa: () => checkAdminMfa(s),
  };
  const out: DoctorCheck[] = [];
  for (const name of CHECK_NAMES) {
    if (opts.skip.includes(name)) out.push({ name, status: 'SKIP', message: 'skipped by --skip', fix: '' });
    else out.push(await checks[name]());
  }
  return out;
}

export function formatDoctor(checks: DoctorCheck[]): string {
  const width = Math.max(...checks.map((c) => c.name.length));
  const lines = checks.map(
    (c) => `${c.status.padEnd(4)}  ${c.name.padEnd(width)}  ${c.message}${c.fix ? ` — fix: ${c.fix}` : ''}`,
  );
  const failed = checks.filter((c) => c.status === 'FAIL').length;
  const warned = checks.filter((c) => c.status === 'WARN').length;
  lines.push(
    '',
    failed ? `${failed} check(s) failed, ${warned} warning(s).` : `All checks passed (${warned} warning(s)).`,
  );
  lines.push('Not checked (invisible to software): HTTPS at the reverse proxy, firewall rules.');
  return `${lines.join('\n')}\n`;
}

/** Aliases accepted by `--skip` besides the check names. */
const SKIP_ALIASES: Record<string, string> = { root: 'not_root', ports: 'public_ports', mfa: 'admin_mfa' };

export async function doctorCommand(raw: { json?: boolean; port?: string; skip?: string }): Promise<void> {
  const port = Number(raw.port ?? '8000');
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new UsageError(`--port: must be 1..65535 (got "${raw.port}")`);
  const skip = (raw.skip ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)
    .map((x) => SKIP_ALIASES[x] ?? x);
  const unknown = skip.filter((x) => !(CHECK_NAMES as readonly string[]).includes(x));
  if (unknown.length)
    throw new UsageError(`--skip: unknown check(s) ${unknown.join(', ')} (known: ${CHECK_NAMES.join(', ')})`);
  const checks = await runDoctor(loadSettings(), { port, skip, cwd: process.cwd() });
  const ok = !checks.some((c) => c.status === 'FAIL');
  process.stdout.write(raw.json ? `${JSON.stringify({ ok, checks }, null, 2)}\n` : formatDoctor(checks));
  if (!ok) process.exitCode = 1;
}
