/**
 * Every shell command in docs/deployment.md is accounted for: either a test (or `.ci/run`) runs it —
 * the file named here exists and contains the command's distinctive part — or it is listed as not
 * runnable on our build machines, with the reason. A command added to the guide without either
 * fails this test, so the list of what is not exercised stays true (issue 9).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

type Coverage =
  /** Run by `by` — literally, or in the equivalent form `how` describes. */
  { match: RegExp; by: string; evidence: string; how?: string } | { match: RegExp; notRunHere: string };

const NO_SYSTEMD = 'no systemd as PID 1 on build machines; the units pass `systemd-analyze verify`';
const NO_DOCKER = 'no Docker engine on build machines; the compose file is checked statically';
const MACHINE_SETUP =
  'changes the machine itself (packages, system users, /opt); CI runs on a shared session machine';

const COVERAGE: Coverage[] = [
  { match: /^sudo apt-get install -y nodejs npm/, notRunHere: MACHINE_SETUP },
  { match: /^sudo useradd --system/, notRunHere: MACHINE_SETUP },
  { match: /^sudo -u pipelit git clone/, notRunHere: MACHINE_SETUP },
  { match: /^cd \/opt\/pipelit$/, notRunHere: MACHINE_SETUP },
  { match: /^sudo -u pipelit npm ci/, by: '.ci/run', evidence: 'npm ci' },
  { match: /^alias pipelit=/, notRunHere: 'a shell alias, no effect of its own' },
  { match: /^sudo -u pipelit cp \.env\.example \.env/, notRunHere: MACHINE_SETUP },
  { match: /^pipelit generate-key/, by: 'test/cli/commands.test.ts', evidence: 'generate-key' },
  { match: /^openssl rand/, by: 'test/deploy/nginx-e2e.test.ts', evidence: 'openssl' },
  { match: /^sudo -u postgres createuser/, notRunHere: 'asks for a password interactively' },
  {
    match: /^sudo -u postgres createdb/,
    by: 'test/helpers/test-database.ts',
    evidence: 'create database',
    how: 'CREATE DATABASE over SQL, not the createdb wrapper',
  },
  { match: /^pipelit migrate/, by: 'test/cli/commands.test.ts', evidence: "'migrate'" },
  { match: /^pipelit setup --username/, by: 'test/deploy/nginx-e2e.test.ts', evidence: "'setup'" },
  { match: /^pipelit doctor( --json)?$/, by: 'test/security/doctor.test.ts', evidence: 'doctor' },
  {
    match: /^pipelit serve --workers 4/,
    by: 'test/deploy/nginx-e2e.test.ts',
    evidence: '--graceful-timeout',
  },
  {
    match: /^pipelit worker workflows --with-scheduler/,
    by: 'test/deploy/nginx-e2e.test.ts',
    evidence: '--with-scheduler',
  },
  { match: /^sudo install -m 644 deploy\/systemd/, notRunHere: NO_SYSTEMD },
  { match: /^sudo install -d -o pipelit/, notRunHere: MACHINE_SETUP },
  {
    match: /^sudo systemd-analyze verify/,
    by: 'test/deploy/deploy-files.test.ts',
    evidence: 'systemd-analyze',
  },
  { match: /^sudo systemctl (daemon-reload|enable|status|restart|reload caddy)/, notRunHere: NO_SYSTEMD },
  {
    match:
      /^sudo (install -m 644 deploy\/nginx|ln -s \/etc\/nginx|sed -i 's\/pipelit\.example\.com\/your\.domain\/g' \/etc\/nginx)/,
    by: 'test/deploy/nginx-e2e.test.ts',
    evidence: 'pipelit.example.com',
    how: 'the test copies deploy/nginx/pipelit.conf and substitutes names and paths in JS',
  },
  {
    match: /^sudo certbot/,
    notRunHere: 'needs a public domain name; the e2e test uses a self-signed certificate',
  },
  {
    match: /^sudo nginx -t && sudo systemctl reload nginx/,
    by: 'test/deploy/nginx-e2e.test.ts',
    evidence: "'-t'",
    how: '`nginx -t`, then nginx is started directly (the reload needs systemd)',
  },
  { match: /^sudo apt-get install -y caddy/, by: '.ci/run', evidence: 'caddy' },
  {
    match:
      /^sudo (install -m 644 deploy\/caddy|sed -i 's\/pipelit\.example\.com\/your\.domain\/g' \/etc\/caddy)/,
    by: 'test/deploy/deploy-files.test.ts',
    evidence: 'Caddyfile',
    how: 'the Caddyfile is validated where it lies, with its example domain',
  },
  { match: /^sudo caddy validate/, by: 'test/deploy/deploy-files.test.ts', evidence: 'validate' },
  { match: /^sudo -u pipelit git pull/, notRunHere: MACHINE_SETUP },
  {
    match: /^sudo -u pipelit sqlite3 .* "?\.backup/,
    by: 'test/deploy/backup-commands.test.ts',
    evidence: '.backup',
  },
  {
    match: /^sudo -u pipelit sqlite3 .*VACUUM INTO/,
    by: 'test/deploy/backup-commands.test.ts',
    evidence: 'VACUUM INTO',
  },
  { match: /^pg_dump --format=custom/, by: 'test/deploy/backup-commands.test.ts', evidence: 'pg_dump' },
  { match: /^pg_restore --no-owner/, by: 'test/deploy/backup-commands.test.ts', evidence: 'pg_restore' },
  { match: /^journalctl /, notRunHere: 'no journald on build machines' },
  { match: /^docker compose /, notRunHere: NO_DOCKER },
];

/** The command lines of the guide's fenced `bash` blocks (comments and blank lines left out). */
function guideCommands(markdown: string): string[] {
  const commands: string[] = [];
  let inBash = false;
  for (const line of markdown.split('\n')) {
    const fence = line.trim();
    if (fence.startsWith('```')) {
      inBash = !inBash && fence === '```bash';
      continue;
    }
    if (!inBash) continue;
    const command = line.replace(/\s+#.*$/, '').trim();
    if (command && !command.startsWith('#')) commands.push(command);
  }
  return commands;
}

describe('docs/deployment.md commands', () => {
  const commands = guideCommands(readFileSync(join(ROOT, 'docs', 'deployment.md'), 'utf8'));

  it('finds the guide’s commands', () => {
    expect(commands.length).toBeGreaterThan(30);
    expect(commands).toContain('pipelit doctor --json');
  });

  it.each(commands)('accounts for `%s`', (command) => {
    const entries = COVERAGE.filter((c) => c.match.test(command));
    expect(entries, 'add it to COVERAGE: a test that runs it, or why it cannot run here').toHaveLength(1);
    const entry = entries[0];
    if ('by' in entry) {
      const file = join(ROOT, entry.by);
      expect(existsSync(file), entry.by).toBe(true);
      expect(readFileSync(file, 'utf8')).toContain(entry.evidence);
    } else {
      expect(entry.notRunHere.length).toBeGreaterThan(10);
    }
  });
});
