/**
 * One log format for server and workers: pino JSON lines carrying the process role
 * (`Server` or `Worker-<pid>`) and, where known, execution and node ids.
 * `LOG_FILE` adds a file destination next to stdout; DEBUG turns on pretty output for humans.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import pino, { type Logger } from 'pino';
import type { Settings } from './config.js';

export type { Logger } from 'pino';

export type ProcessRole = 'Server' | `Worker-${number}` | 'CLI';

/** Paths and fields that must never reach a log line. */
const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'password',
  '*.password',
  'api_key',
  '*.api_key',
  'key',
  '*.token',
];

export function createLogger(
  settings: Pick<Settings, 'logLevel' | 'logFile' | 'debug'>,
  role: ProcessRole,
  opts: { stdout?: boolean } = {},
): Logger {
  const streams: pino.StreamEntry[] = [];
  if (opts.stdout !== false) {
    streams.push({
      // The logger's own level filters; streams pass everything so a hot level change takes effect.
      level: 'trace',
      stream: settings.debug
        ? pino.transport({ target: 'pino-pretty', options: { colorize: true, ignore: 'pid,hostname' } })
        : pino.destination({ fd: 1, sync: false }),
    });
  }
  if (settings.logFile) {
    mkdirSync(dirname(settings.logFile), { recursive: true });
    streams.push({
      // The logger's own level filters; streams pass everything so a hot level change takes effect.
      level: 'trace',
      stream: pino.destination({ dest: settings.logFile, mkdir: true, sync: false }),
    });
  }
  return pino(
    {
      level: settings.logLevel,
      base: { role, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    pino.multistream(streams.length ? streams : [{ stream: pino.destination('/dev/null') }]),
  );
}

/** A logger that writes nothing, for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
