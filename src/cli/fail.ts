import { ConfigError } from '../config.js';

/** Thrown by commands for a usage or setting error: printed as one line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Prints an error as one clear line and exits non-zero. Stack traces only with DEBUG=true. */
export function exitWithError(err: unknown): never {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof ConfigError || err instanceof UsageError) {
    process.stderr.write(`pipelit: ${message}\n`);
    process.exit(2);
  }
  process.stderr.write(`pipelit: ${message}\n`);
  if (/^(1|true|yes)$/i.test(process.env.DEBUG ?? '') && err instanceof Error && err.stack) {
    process.stderr.write(`${err.stack}\n`);
  }
  process.exit(1);
}
