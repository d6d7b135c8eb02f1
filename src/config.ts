/**
 * Settings: process environment first, then a `.env` file in the working directory, then defaults.
 * Every variable is validated once here; a bad value stops start-up with one line naming it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { withConfJson } from './settings/conf-layer.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const booleanString = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'].includes(v), {
    message: 'must be true or false',
  })
  .transform((v) => ['true', '1', 'yes', 'on'].includes(v));

const nonNegativeInt = z
  .string()
  .trim()
  .regex(/^\d+$/, 'must be a whole number of seconds (0 or more)')
  .transform(Number);

const logLevel = z
  .string()
  .trim()
  .toLowerCase()
  .transform((v) => (v === 'warning' ? 'warn' : v === 'critical' ? 'fatal' : v))
  .pipe(z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']));

const envSchema = z.object({
  SECRET_KEY: z.string().default('change-me-in-production'),
  DEBUG: booleanString.default(false),
  FIELD_ENCRYPTION_KEY: z.string().trim().default(''),
  ALLOWED_HOSTS: z.string().default('localhost,127.0.0.1,::1'),
  CORS_ALLOW_ALL_ORIGINS: booleanString.default(true),
  CORS_ALLOWED_ORIGINS: z.string().default(''),
  REDIS_URL: z
    .string()
    .trim()
    .default('')
    .refine((v) => v === '' || /^rediss?:\/\//.test(v), { message: 'must start with redis:// or rediss://' }),
  /** Prefix of every Redis key (queue, metrics, rate limits): deployments sharing one Redis differ. */
  PIPELIT_QUEUE_PREFIX: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only')
    .default('pipelit'),
  DATABASE_URL: z.string().trim().default(''),
  ZOMBIE_EXECUTION_THRESHOLD_SECONDS: nonNegativeInt.default(900),
  LOG_LEVEL: logLevel.default('info'),
  LOG_FILE: z.string().trim().default(''),
  PIPELIT_DIR: z.string().trim().default('./data'),
  SANDBOX_MODE: z.enum(['auto', 'bwrap', 'container']).default('auto'),
  PLATFORM_BASE_URL: z.string().trim().default('http://localhost:8000'),
  FRONTEND_DIST_PATH: z.string().trim().default(''),
  GATEWAY_URL: z.string().trim().default(''),
  GATEWAY_ADMIN_TOKEN: z.string().default(''),
  GATEWAY_SEND_TOKEN: z.string().default(''),
  GATEWAY_INBOUND_TOKEN: z.string().default(''),
  TRUSTED_PROXIES: z.string().default(''),
  BODY_LIMIT_BYTES: z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a number of bytes')
    .transform(Number)
    .refine((n) => n >= 1024, 'must be at least 1024')
    .default(10 * 1024 * 1024),
  // Requests per minute per API key, and per client address for requests without a key (0 = off).
  RATE_LIMIT_PER_MINUTE: z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number (0 = off)')
    .transform(Number)
    .default(600),
  RATE_LIMIT_PER_ADDRESS_PER_MINUTE: z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number (0 = off)')
    .transform(Number)
    .default(600),
  // Hosts/CIDRs outbound HTTP from nodes, tools and LLM providers may reach although private (SSRF guard).
  OUTBOUND_ALLOWLIST: z.string().default(''),
  AUDIT_RETENTION_DAYS: z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number of days')
    .transform(Number)
    .refine((n) => n >= 1, 'must be at least 1')
    .default(90),
  // Execution retention (docs/operations.md): 0 = no limit. Cancelled runs count as failed.
  EXECUTION_RETENTION_DAYS_SUCCESS: nonNegativeInt.default(14),
  EXECUTION_RETENTION_DAYS_FAILED: nonNegativeInt.default(30),
  EXECUTION_RETENTION_MAX_COUNT_SUCCESS: nonNegativeInt.default(10_000),
  EXECUTION_RETENTION_MAX_COUNT_FAILED: nonNegativeInt.default(10_000),
  PRUNE_INTERVAL_SECONDS: nonNegativeInt.refine((n) => n >= 10, 'must be at least 10').default(300),
  PRUNE_BATCH_SIZE: nonNegativeInt.refine((n) => n >= 1 && n <= 10_000, 'must be 1..10000').default(500),
  MAX_STORED_PAYLOAD_BYTES: nonNegativeInt.refine((n) => n >= 1024, 'must be at least 1024').default(262_144),
  // Agent memory (facts, episodes, end users) not used for this many days is pruned; 0 = keep.
  MEMORY_RETENTION_DAYS: nonNegativeInt.default(0),
  // `GET /metrics`: source addresses/CIDRs allowed without a token, and an optional bearer token.
  METRICS_ALLOW: z.string().default('127.0.0.1/32,::1/128'),
  METRICS_TOKEN: z.string().trim().default(''),
});

export type DatabaseTarget =
  | { kind: 'sqlite'; path: string; url: string }
  | { kind: 'postgres'; url: string };

export interface Settings {
  secretKey: string;
  debug: boolean;
  fieldEncryptionKey: string;
  allowedHosts: string[];
  corsAllowAllOrigins: boolean;
  corsAllowedOrigins: string[];
  redisUrl: string;
  /** PIPELIT_QUEUE_PREFIX: the prefix of every Redis key Pipelit writes. */
  queuePrefix: string;
  database: DatabaseTarget;
  zombieThresholdSeconds: number;
  logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
  logFile: string;
  dataDir: string;
  sandboxMode: 'auto' | 'bwrap' | 'container';
  platformBaseUrl: string;
  frontendDistPath: string;
  gateway: { url: string; adminToken: string; sendToken: string; inboundToken: string };
  trustedProxies: string[];
  bodyLimitBytes: number;
  rateLimitPerMinute: number;
  rateLimitPerAddressPerMinute: number;
  auditRetentionDays: number;
  retention: RetentionDefaults;
  /** Agent memory unused for this many days is pruned (0 = keep forever). */
  memoryRetentionDays: number;
  /** Admin allow-list for the guarded HTTP client (host names, IPs, CIDRs). */
  outboundAllowlist: string[];
  /** `/metrics` readers without a token: addresses or CIDRs (default loopback). */
  metricsAllow: string[];
  /** Bearer token that opens `/metrics` from anywhere ('' = none). */
  metricsToken: string;
}

/** Environment defaults for execution retention and stored payload size (admin overrides live in the DB). */
export interface RetentionDefaults {
  daysSuccess: number;
  daysFailed: number;
  maxCountSuccess: number;
  maxCountFailed: number;
  pruneIntervalSeconds: number;
  pruneBatchSize: number;
  maxStoredPayloadBytes: number;
}

/** Parses the lines of a dotenv file: KEY=value, optional quotes, # comments, `export ` prefix. */
export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match) continue;
    let value = match[2];
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
      value = value.slice(1, -1);
      if (quote === '"') value = value.replace(/\\n/g, '\n').replace(/\\"/g, '"');
    } else {
      value = value.replace(/\s+#.*$/, '');
    }
    out[match[1]] = value;
  }
  return out;
}

/** Reads `.env` from `cwd` (if present) and overlays the real environment on it: the environment wins. */
export function readEnvironment(
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): Record<string, string | undefined> {
  const file = resolve(cwd, '.env');
  const fromFile = existsSync(file) ? parseDotenv(readFileSync(file, 'utf8')) : {};
  return { ...fromFile, ...env };
}

/**
 * Turns a DATABASE_URL into a target. Accepts the reference's SQLAlchemy forms
 * `sqlite:////absolute/path` and `sqlite:///relative/path`, plus `postgresql://` / `postgres://`.
 */
export function parseDatabaseUrl(url: string, cwd: string): DatabaseTarget {
  if (url.startsWith('postgresql://') || url.startsWith('postgres://')) {
    try {
      new URL(url);
    } catch {
      throw new ConfigError('DATABASE_URL: not a valid postgresql:// URL');
    }
    return { kind: 'postgres', url };
  }
  const sqlite = /^sqlite(?:\+\w+)?:\/\/\/(.*)$/.exec(url);
  if (sqlite) {
    const rest = sqlite[1];
    if (!rest)
      throw new ConfigError('DATABASE_URL: sqlite URL has no file path (use sqlite:///relative/path)');
    if (rest === ':memory:') return { kind: 'sqlite', path: ':memory:', url };
    const path = rest.startsWith('/') ? rest : resolve(cwd, rest);
    return { kind: 'sqlite', path, url };
  }
  throw new ConfigError(
    'DATABASE_URL: must be sqlite:///relative/path, sqlite:////absolute/path or postgresql://user:pass@host/db',
  );
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Validates the environment and returns typed settings, or throws ConfigError with one clear line. */
export function loadSettings(
  env: Record<string, string | undefined> = readEnvironment(),
  cwd: string = process.cwd(),
): Settings {
  const cleaned: Record<string, string> = {};
  // conf.json (in PIPELIT_DIR) sits below the environment and .env: see docs/configuration.md.
  const layered = withConfJson(env, cwd);
  for (const key of Object.keys(envSchema.shape)) {
    const value = layered[key];
    if (value !== undefined && value !== '') cleaned[key] = value;
  }
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue.path[0] ?? 'environment');
    throw new ConfigError(`${name}: ${issue.message} (got ${JSON.stringify(cleaned[name] ?? '')})`);
  }
  const e = parsed.data;
  const dataDir = isAbsolute(e.PIPELIT_DIR) ? e.PIPELIT_DIR : resolve(cwd, e.PIPELIT_DIR);
  const database = e.DATABASE_URL
    ? parseDatabaseUrl(e.DATABASE_URL, cwd)
    : ({
        kind: 'sqlite',
        path: resolve(dataDir, 'pipelit.db'),
        url: `sqlite:///${resolve(dataDir, 'pipelit.db')}`,
      } as const);
  return {
    secretKey: e.SECRET_KEY,
    debug: e.DEBUG,
    fieldEncryptionKey: e.FIELD_ENCRYPTION_KEY,
    allowedHosts: splitList(e.ALLOWED_HOSTS),
    corsAllowAllOrigins: e.CORS_ALLOW_ALL_ORIGINS,
    corsAllowedOrigins: splitList(e.CORS_ALLOWED_ORIGINS),
    redisUrl: e.REDIS_URL,
    queuePrefix: e.PIPELIT_QUEUE_PREFIX,
    database,
    zombieThresholdSeconds: e.ZOMBIE_EXECUTION_THRESHOLD_SECONDS,
    logLevel: e.LOG_LEVEL,
    logFile: e.LOG_FILE,
    dataDir,
    sandboxMode: e.SANDBOX_MODE,
    platformBaseUrl: e.PLATFORM_BASE_URL,
    frontendDistPath: e.FRONTEND_DIST_PATH ? resolve(cwd, e.FRONTEND_DIST_PATH) : resolve(cwd, 'web', 'dist'),
    gateway: {
      url: e.GATEWAY_URL,
      adminToken: e.GATEWAY_ADMIN_TOKEN,
      sendToken: e.GATEWAY_SEND_TOKEN,
      inboundToken: e.GATEWAY_INBOUND_TOKEN,
    },
    trustedProxies: splitList(e.TRUSTED_PROXIES),
    outboundAllowlist: splitList(e.OUTBOUND_ALLOWLIST),
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    rateLimitPerAddressPerMinute: e.RATE_LIMIT_PER_ADDRESS_PER_MINUTE,
    auditRetentionDays: e.AUDIT_RETENTION_DAYS,
    memoryRetentionDays: e.MEMORY_RETENTION_DAYS,
    metricsAllow: splitList(e.METRICS_ALLOW),
    metricsToken: e.METRICS_TOKEN,
    retention: {
      daysSuccess: e.EXECUTION_RETENTION_DAYS_SUCCESS,
      daysFailed: e.EXECUTION_RETENTION_DAYS_FAILED,
      maxCountSuccess: e.EXECUTION_RETENTION_MAX_COUNT_SUCCESS,
      maxCountFailed: e.EXECUTION_RETENTION_MAX_COUNT_FAILED,
      pruneIntervalSeconds: e.PRUNE_INTERVAL_SECONDS,
      pruneBatchSize: e.PRUNE_BATCH_SIZE,
      maxStoredPayloadBytes: e.MAX_STORED_PAYLOAD_BYTES,
    },
  };
}

/** The names of every supported variable, for `.env.example` checks and `pipelit doctor`. */
export const SETTING_NAMES = Object.keys(envSchema.shape);
