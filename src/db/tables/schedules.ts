/**
 * Recurring schedules (`scheduled_jobs`, spec §3.5) with cron expressions and time zones added.
 * `pending_execution_id` is the execution started by the tick in flight: its outcome (not merely
 * its start) decides whether the tick succeeded (fix for spec §16.37).
 */
export type ScheduleStatus = 'active' | 'paused' | 'stopped' | 'dead' | 'done';

export interface ScheduledJobsTable {
  id: string;
  name: string;
  description: string;
  workflow_id: number;
  trigger_node_id: string | null;
  user_profile_id: number | null;
  interval_seconds: number;
  /** Cron expression (5 or 6 fields); when set it decides the run times instead of the interval. */
  cron: string | null;
  /** IANA time zone for `cron` (UTC when null). */
  timezone: string | null;
  total_repeats: number;
  max_retries: number;
  timeout_seconds: number;
  trigger_payload: string;
  status: ScheduleStatus;
  current_repeat: number;
  current_retry: number;
  last_run_at: string | null;
  next_run_at: string | null;
  run_count: number;
  error_count: number;
  last_error: string;
  pending_execution_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface ScheduleTables {
  scheduled_jobs: ScheduledJobsTable;
}
