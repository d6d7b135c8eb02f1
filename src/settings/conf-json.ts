/**
 * The platform config file `conf.json` in the data directory (reference schema `PipelitConfig`, spec
 * §2.3). It is written by the Settings API and read at start-up as the layer below `.env`. An invalid
 * file (bad JSON or a bad value) is ignored as a whole: the caller gets `problem` and uses defaults.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

export const CONF_FILE_NAME = 'conf.json';

/** Log levels the file and the API accept (Python names as the reference, plus pino's). */
export const LOG_LEVEL_NAMES = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'] as const;
const FILE_LOG_LEVELS = [...LOG_LEVEL_NAMES, 'TRACE', 'WARN', 'FATAL', 'SILENT'];

const blankOr = (check: (v: string) => boolean, message: string) =>
  z
    .string()
    .trim()
    .refine((v) => v === '' || check(v), { message });

export const isDatabaseUrl = (v: string) => /^(sqlite(\+\w+)?:\/\/\/.+|postgres(ql)?:\/\/.+)/.test(v);
export const isRedisUrl = (v: string) => /^rediss?:\/\/.+/.test(v);

export const ZConfJson = z.looseObject({
  setup_completed: z.boolean().default(false),
  pipelit_dir: z.string().default(''),
  sandbox_mode: z.enum(['auto', 'container', 'bwrap']).default('auto'),
  database_url: blankOr(isDatabaseUrl, 'must be sqlite:///… or postgresql://…').default(''),
  redis_url: blankOr(isRedisUrl, 'must start with redis:// or rediss://').default(''),
  log_level: blankOr((v) => FILE_LOG_LEVELS.includes(v.toUpperCase()), 'not a log level').default(''),
  log_file: z.string().trim().default(''),
  platform_base_url: blankOr((v) => /^https?:\/\/.+/.test(v), 'must be an http(s) URL').default(''),
  cors_allow_all_origins: z.boolean().nullable().default(null),
  zombie_execution_threshold_seconds: z.number().int().min(0).nullable().default(null),
  detected_environment: z.record(z.string(), z.unknown()).default({}),
});
export type TConfJson = z.infer<typeof ZConfJson>;

export const defaultConf = (): TConfJson => ZConfJson.parse({});

export const confPath = (dataDir: string) => join(dataDir, CONF_FILE_NAME);

export interface ConfRead {
  conf: TConfJson;
  /** Whether the file exists (an invalid file exists but yields defaults). */
  exists: boolean;
  /** One line saying why the file was ignored, when it was. */
  problem?: string;
}

/** Reads `<dataDir>/conf.json`; a missing file gives defaults, an invalid one defaults plus `problem`. */
export function readConfJson(dataDir: string): ConfRead {
  const path = confPath(dataDir);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { conf: defaultConf(), exists: false };
    return {
      conf: defaultConf(),
      exists: true,
      problem: `${path}: cannot be read (${(err as Error).message})`,
    };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { conf: defaultConf(), exists: true, problem: `${path}: not valid JSON` };
  }
  const parsed = ZConfJson.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path.length ? issue.path.join('.') : 'file';
    return { conf: defaultConf(), exists: true, problem: `${path}: ${field}: ${issue.message}` };
  }
  return { conf: parsed.data, exists: true };
}

/** Writes the file atomically with 2-space indentation, creating the directory. */
export function writeConfJson(dataDir: string, conf: TConfJson): void {
  mkdirSync(dataDir, { recursive: true });
  const path = confPath(dataDir);
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(conf, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, path);
}
