/**
 * The `pipelit` command. One file per sub-command in this folder; this file only wires them.
 */
import { Command } from 'commander';
import { DEFAULT_CONCURRENCY } from '../runtime.js';
import { VERSION } from '../version.js';
import { doctorCommand } from './doctor.js';
import { exportCommand } from './export.js';
import { exitWithError } from './fail.js';
import { generateKeyCommand } from './generate-key.js';
import { importCommand } from './import.js';
import { mcpCommand } from './mcp.js';
import { mfaResetCommand } from './mfa-reset.js';
import { migrateCommand } from './migrate.js';
import { pruneCommand } from './prune.js';
import { queueInfoCommand } from './queue-info.js';
import { parseServeOptions, serve } from './serve.js';
import { setupCommand } from './setup.js';
import { workerCommand } from './worker.js';

export function buildProgram(): Command {
  const program = new Command('pipelit')
    .description('Pipelit: design, run and watch LLM-agent workflows.')
    .version(VERSION)
    .showHelpAfterError();

  program
    .command('serve')
    .description('Run the API server, WebSocket and web app (embedded mode also runs executions).')
    .option('--workers <n>', 'server processes sharing the port (node:cluster)', '1')
    .option('--bind <host:port>', 'address to listen on', '127.0.0.1:8000')
    .option('--timeout <seconds>', 'answer 503 to a request still running after this long (0 = off)', '120')
    .option('--graceful-timeout <seconds>', 'time in-flight requests get after SIGTERM', '30')
    .option(
      '--concurrency <n>',
      'executions run at once by each process (embedded mode)',
      String(DEFAULT_CONCURRENCY.server),
    )
    .option('--access-logfile <path>', "one line per request to this file ('-' = stdout)")
    .option('--error-logfile <path>', "application log file ('-' = stdout, the default)")
    .action(async (raw) => serve(parseServeOptions(raw)));

  program
    .command('worker <queue>')
    .description('Run executions from the Redis queue (distributed mode); queue: workflows.')
    .option('--with-scheduler', 'also fire recurring schedules (safe to run on several workers)')
    .option('--concurrency <n>', 'executions run at once by this process', String(DEFAULT_CONCURRENCY.worker))
    .option('--graceful-timeout <seconds>', 'time running executions get after SIGTERM', '30')
    .action(async (queue, raw) => workerCommand(queue, raw));

  program
    .command('queue')
    .description('Inspect the job queue (distributed mode).')
    .command('info')
    .description('Pending, active, delayed and failed jobs, and the workers seen with their last heartbeat.')
    .option('--json', 'print the result as JSON')
    .action(queueInfoCommand);

  program
    .command('migrate')
    .description('Apply database migrations (they also run when `serve` starts).')
    .action(migrateCommand);

  program
    .command('setup')
    .description('Create the first admin account (does nothing if a user exists).')
    .requiredOption('--username <name>', 'admin username')
    .option('--password <password>', 'admin password (or PIPELIT_SETUP_PASSWORD)')
    .action(setupCommand);

  program
    .command('generate-key')
    .description('Print a new Fernet key for FIELD_ENCRYPTION_KEY.')
    .action(generateKeyCommand);

  program
    .command('doctor')
    .description('Check the production security checklist (exit code 1 when an item fails).')
    .option('--json', 'print the result as JSON')
    .option('--port <port>', 'the port `serve` listens on', '8000')
    .option('--skip <checks>', 'comma-separated checks to skip (e.g. root,ports)')
    .action(doctorCommand);

  program
    .command('mfa-reset')
    .description('Emergency: turn MFA off for a user (clears secret and recovery codes).')
    .requiredOption('--username <name>', 'the user whose MFA is reset')
    .action(mfaResetCommand);

  program
    .command('export <slug>')
    .description('Print a workflow as YAML (DSL graph form).')
    .option('--user <name>', 'act as this user (default: the first admin)')
    .action(exportCommand);

  program
    .command('import <file>')
    .description('Create a workflow from a YAML DSL file.')
    .option('--slug <slug>', 'slug of the new workflow')
    .option('--user <name>', 'act as this user (default: the first admin)')
    .action(importCommand);

  program
    .command('prune')
    .description('Delete finished executions beyond the retention settings now and reclaim the space.')
    .option('--dry-run', 'only count what would be removed')
    .option('--json', 'print the report as JSON')
    .action(pruneCommand);

  program
    .command('mcp')
    .description('Serve the platform to MCP clients over stdio (talks to a running server with an API key).')
    .option('--api-key <key>', 'API key (or PLATFORM_API_KEY); required')
    .option('--base-url <url>', 'the Pipelit server (or PLATFORM_BASE_URL; default http://127.0.0.1:8000)')
    .action(mcpCommand);

  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    exitWithError(err);
  }
}
