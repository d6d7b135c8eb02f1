/**
 * conf.json as a settings layer. Precedence (highest first): process environment, `.env`, conf.json,
 * defaults — the reference's order. `loadSettings` calls `withConfJson` on the merged environment, so
 * every command (serve, worker, migrate, …) sees the same effective settings.
 */
import { isAbsolute, resolve } from 'node:path';
import { readConfJson, type TConfJson } from './conf-json.js';

/** conf.json field → the environment variable it provides a value for. */
export function confAsEnvironment(conf: TConfJson): Record<string, string> {
  const out: Record<string, string> = {};
  const put = (name: string, value: string | number | boolean | null) => {
    if (value === null || value === '') return;
    out[name] = String(value);
  };
  put('SANDBOX_MODE', conf.sandbox_mode === 'auto' ? '' : conf.sandbox_mode);
  put('DATABASE_URL', conf.database_url);
  put('REDIS_URL', conf.redis_url);
  put('LOG_LEVEL', conf.log_level);
  put('LOG_FILE', conf.log_file);
  put('PLATFORM_BASE_URL', conf.platform_base_url);
  put('CORS_ALLOW_ALL_ORIGINS', conf.cors_allow_all_origins);
  put('ZOMBIE_EXECUTION_THRESHOLD_SECONDS', conf.zombie_execution_threshold_seconds);
  return out;
}

/** The data directory the environment names (conf.json lives there; `pipelit_dir` in it is informational). */
export function dataDirOf(env: Record<string, string | undefined>, cwd: string): string {
  const dir = env.PIPELIT_DIR?.trim() || './data';
  return isAbsolute(dir) ? dir : resolve(cwd, dir);
}

const warned = new Set<string>();

/** Says once per process and problem that conf.json was ignored (one line on stderr). */
function warnOnce(problem: string, warn: (line: string) => void): void {
  if (warned.has(problem)) return;
  warned.add(problem);
  warn(`pipelit: warning: ignoring ${problem}; using defaults for the settings it would provide`);
}

export interface ConfLayerOptions {
  warn?: (line: string) => void;
}

/** Returns `env` with conf.json values filled in below every non-empty variable `env` already has. */
export function withConfJson(
  env: Record<string, string | undefined>,
  cwd: string,
  opts: ConfLayerOptions = {},
): Record<string, string | undefined> {
  const { conf, problem } = readConfJson(dataDirOf(env, cwd));
  if (problem) {
    warnOnce(problem, opts.warn ?? ((line) => process.stderr.write(`${line}\n`)));
    return env;
  }
  const merged: Record<string, string | undefined> = { ...confAsEnvironment(conf) };
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value !== '') merged[key] = value;
    else if (!(key in merged)) merged[key] = value;
  }
  return merged;
}
