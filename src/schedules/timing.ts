/**
 * When a schedule runs: every `interval_seconds`, or at the times of a cron expression in a time
 * zone (croner). Failed ticks are retried after `min(interval·2^(retry−1), 10·interval)`.
 */
import { Cron } from 'croner';

export interface Timing {
  interval_seconds: number;
  cron: string | null;
  timezone: string | null;
}

/** The cron expression's problem in one line, or null when it is valid. */
export function cronProblem(cron: string, timezone?: string | null): string | null {
  if (timezone) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    } catch {
      return `Unknown time zone '${timezone}'.`;
    }
  }
  try {
    const job = new Cron(cron, { paused: true, timezone: timezone || 'UTC' });
    if (!job.nextRun(new Date())) return 'cron expression never matches a future time';
    job.stop();
    return null;
  } catch (err) {
    return `Invalid cron expression: ${(err as Error).message}`;
  }
}

/** The next `count` run times strictly after `fromMs`. */
export function nextRuns(timing: Timing, fromMs: number, count: number): Date[] {
  if (timing.cron) {
    const job = new Cron(timing.cron, { paused: true, timezone: timing.timezone || 'UTC' });
    const runs = job.nextRuns(count, new Date(fromMs));
    job.stop();
    return runs;
  }
  return Array.from({ length: count }, (_, i) => new Date(fromMs + (i + 1) * timing.interval_seconds * 1000));
}

/** The next regular run time after `fromMs` (ISO), or null when a cron never matches again. */
export function nextRunAfter(timing: Timing, fromMs: number): string | null {
  const [next] = nextRuns(timing, fromMs, 1);
  return next ? next.toISOString() : null;
}

/** Delay before retry number `retry` (1-based), in seconds (spec §10.2). */
export function backoffSeconds(intervalSeconds: number, retry: number): number {
  return Math.min(intervalSeconds * 2 ** Math.max(0, retry - 1), intervalSeconds * 10);
}
