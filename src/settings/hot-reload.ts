/**
 * Hot-reloadable settings: the log level and the zombie threshold change in a running process without
 * a restart. The process that saves conf.json applies them at once and announces the change on the bus
 * channel `system:settings`; every process (server and worker, every machine in distributed mode)
 * re-reads conf.json and applies them too. A hot value lasts until the next restart, where the normal
 * precedence (environment > .env > conf.json) applies again.
 */
import type { Services } from '../services.js';
import { readConfJson } from './conf-json.js';
import { pinoLevel } from './platform-config.js';

export const SETTINGS_CHANNEL = 'system:settings';
export const HOT_RELOADABLE = ['log_level', 'zombie_execution_threshold_seconds'] as const;

/** Applies the hot-reloadable fields of conf.json to this process's services (in place). */
export function applyHotSettings(services: Services): void {
  const { conf, problem } = readConfJson(services.settings.dataDir);
  if (problem) {
    services.log.warn({ problem }, 'settings change ignored: conf.json is invalid');
    return;
  }
  if (conf.log_level) {
    const level = pinoLevel(conf.log_level);
    services.log.level = level;
    services.settings.logLevel = level;
  }
  if (conf.zombie_execution_threshold_seconds !== null) {
    services.settings.zombieThresholdSeconds = conf.zombie_execution_threshold_seconds;
  }
}

/** Tells every process that conf.json changed. */
export async function announceSettingsChange(services: Services, fields: string[]): Promise<void> {
  // The change is saved and applied here already; a Redis outage must not hang the request.
  const sent = services.bus.publish(SETTINGS_CHANNEL, { type: 'settings_changed', fields, pid: process.pid });
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), 3000);
  });
  try {
    if ((await Promise.race([sent, late])) === 'late') {
      services.log.warn({ fields }, 'settings change saved but not yet announced to other processes');
    }
  } catch (err) {
    services.log.warn(
      { fields, err: (err as Error).message },
      'settings change not announced to other processes',
    );
  } finally {
    clearTimeout(timer);
  }
}

/** Subscribes this process to settings changes; returns the function that stops listening. */
export async function watchSettingsChanges(services: Services): Promise<() => Promise<void>> {
  return services.bus.subscribe(SETTINGS_CHANNEL, (_channel, message) => {
    if (message.type !== 'settings_changed') return;
    const fields = Array.isArray(message.fields) ? message.fields : [];
    if (!fields.some((f) => (HOT_RELOADABLE as readonly unknown[]).includes(f))) return;
    applyHotSettings(services);
    services.log.info({ fields }, 'settings reloaded');
  });
}
