/**
 * `PlatformConfigOut` (spec §4.15): what the Settings page shows. A field set in conf.json shows the
 * saved value (so a restart-required change is visible at once); otherwise the value this process runs
 * with. Passwords in URLs never leave the server.
 */
import type { Settings } from '../config.js';
import type { TConfJson } from './conf-json.js';

/** `scheme://user:secret@host:port/db` → `scheme://user:***@host:port/db`; unparseable → unchanged. */
export function redactUrlPassword(url: string): string {
  if (!url) return url;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  if (!parsed.password) return url;
  const at = url.indexOf('@', url.indexOf('://') + 3);
  const scheme = url.slice(0, url.indexOf('://') + 3);
  if (at < 0) return url;
  const userinfo = url.slice(scheme.length, at);
  const user = userinfo.includes(':') ? userinfo.slice(0, userinfo.indexOf(':')) : userinfo;
  return `${scheme}${user}:***${url.slice(at)}`;
}

/** pino level → the reference's Python level name. */
export function pythonLevelName(level: string): string {
  const map: Record<string, string> = { warn: 'WARNING', fatal: 'CRITICAL' };
  return map[level] ?? level.toUpperCase();
}

/** Python (or pino) level name → pino level. */
export function pinoLevel(name: string): 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent' {
  const v = name.trim().toLowerCase();
  if (v === 'warning') return 'warn';
  if (v === 'critical') return 'fatal';
  if (['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'].includes(v)) return v as never;
  return 'info';
}

export interface PlatformConfigOut {
  pipelit_dir: string;
  sandbox_mode: 'auto' | 'bwrap' | 'container';
  database_url: string;
  redis_url: string;
  log_level: string;
  log_file: string;
  platform_base_url: string;
  cors_allow_all_origins: boolean | null;
  zombie_execution_threshold_seconds: number | null;
}

export function platformConfigOut(conf: TConfJson, settings: Settings): PlatformConfigOut {
  return {
    pipelit_dir: settings.dataDir,
    sandbox_mode: conf.sandbox_mode !== 'auto' ? conf.sandbox_mode : settings.sandboxMode,
    database_url: redactUrlPassword(conf.database_url || settings.database.url),
    redis_url: redactUrlPassword(conf.redis_url || settings.redisUrl),
    log_level: conf.log_level ? conf.log_level.toUpperCase() : pythonLevelName(settings.logLevel),
    log_file: conf.log_file || settings.logFile,
    platform_base_url: conf.platform_base_url || settings.platformBaseUrl,
    cors_allow_all_origins: conf.cors_allow_all_origins ?? settings.corsAllowAllOrigins,
    zombie_execution_threshold_seconds:
      conf.zombie_execution_threshold_seconds ?? settings.zombieThresholdSeconds,
  };
}
