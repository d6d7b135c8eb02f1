/**
 * `/api/v1/settings`: platform config (conf.json) and the environment report. Admin-only — the
 * reference let every user change the database URL and sandbox mode (spec §16.28).
 * - GET `/` → `{config, environment, effective}`; `effective` is what the answering process runs with.
 * - PATCH `/` → writes conf.json; `log_level` and `zombie_execution_threshold_seconds` apply at once in
 *   every process (announced on the bus), the other fields at the next restart.
 * - POST `/recheck-environment/` → probes again.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { getEnvironment, recheckEnvironment } from '../../sandbox/environment.js';
import type { Services } from '../../services.js';
import {
  isDatabaseUrl,
  isRedisUrl,
  LOG_LEVEL_NAMES,
  readConfJson,
  writeConfJson,
} from '../../settings/conf-json.js';
import { announceSettingsChange, applyHotSettings, HOT_RELOADABLE } from '../../settings/hot-reload.js';
import { platformConfigOut, pythonLevelName } from '../../settings/platform-config.js';
import { requireAdmin, requireAuthentication } from '../guards.js';
import { validate } from '../validate.js';

const blankOr = (check: (v: string) => boolean, message: string) =>
  z
    .string()
    .trim()
    .max(2000)
    .refine((v) => v === '' || check(v), { message });

export const ZSettingsUpdate = z.object({
  sandbox_mode: z.enum(['auto', 'bwrap', 'container']).optional(),
  database_url: blankOr(
    isDatabaseUrl,
    'Must be sqlite:///path or postgresql://user:pass@host/db.',
  ).optional(),
  redis_url: blankOr(isRedisUrl, 'Must start with redis:// or rediss://.').optional(),
  log_level: z
    .string()
    .trim()
    .transform((v) => v.toUpperCase())
    .pipe(z.enum(LOG_LEVEL_NAMES, { message: `Must be one of ${LOG_LEVEL_NAMES.join(', ')}.` }))
    .optional(),
  log_file: z.string().trim().max(2000).optional(),
  platform_base_url: blankOr(
    (v) => /^https?:\/\/.+/.test(v),
    'Must be an http:// or https:// URL.',
  ).optional(),
  cors_allow_all_origins: z.boolean().nullable().optional(),
  zombie_execution_threshold_seconds: z.number().int().min(0).nullable().optional(),
});
export type TSettingsUpdate = z.infer<typeof ZSettingsUpdate>;

function effective(services: Services) {
  return {
    log_level: pythonLevelName(services.log.level),
    zombie_execution_threshold_seconds: services.settings.zombieThresholdSeconds,
    pid: process.pid,
  };
}

export async function settingsRoutes(app: FastifyInstance): Promise<void> {
  requireAuthentication(app);
  app.addHook('preHandler', async (request) => {
    requireAdmin(request);
  });
  const { services } = app;

  app.get('/', async () => {
    const { conf } = readConfJson(services.settings.dataDir);
    return {
      config: platformConfigOut(conf, services.settings),
      environment: await getEnvironment(services.settings.sandboxMode),
      effective: effective(services),
    };
  });

  app.patch('/', async (request) => {
    const update = validate(ZSettingsUpdate, request.body, 'body');
    const read = readConfJson(services.settings.dataDir);
    // An invalid file is replaced: the saved file is the defaults plus this update.
    const conf = { ...read.conf };
    const changed: string[] = [];
    for (const [field, value] of Object.entries(update) as Array<[keyof TSettingsUpdate, unknown]>) {
      if (value === undefined) continue;
      (conf as Record<string, unknown>)[field] = value;
      changed.push(field);
    }
    if (changed.length) writeConfJson(services.settings.dataDir, conf);
    const hot = changed.filter((f) => (HOT_RELOADABLE as readonly string[]).includes(f));
    const restart = changed.filter((f) => !hot.includes(f));
    if (hot.length) {
      applyHotSettings(services);
      await announceSettingsChange(services, hot);
    }
    request.log.info({ fields: changed }, 'platform settings saved');
    return {
      config: platformConfigOut(conf, services.settings),
      hot_reloaded: hot,
      restart_required: restart,
    };
  });

  app.post('/recheck-environment', async () => ({
    environment: await recheckEnvironment(services.settings.sandboxMode),
  }));
}
