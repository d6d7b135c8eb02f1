import { z } from 'zod';
import { CATEGORY_COLORS, defineNode } from './define-node.js';
import { PAYLOAD_PORT } from './trigger-shared.js';

/** Started by the scheduler: every `interval_seconds`, or on a cron expression in a time zone. */
export const ZScheduleConfig = z.looseObject({
  interval_seconds: z.number().int().min(1).default(300),
  total_repeats: z.number().int().min(0).default(0),
  max_retries: z.number().int().min(0).default(3),
  timeout_seconds: z.number().int().min(1).default(600),
  trigger_payload: z.record(z.string(), z.unknown()).default({}),
  cron: z.string().optional(),
  timezone: z.string().optional(),
});

export const triggerSchedule = defineNode({
  type: 'trigger_schedule',
  displayName: 'Schedule Trigger',
  description: 'Runs the workflow on an interval or a cron schedule.',
  category: 'trigger',
  inputs: [],
  outputs: [
    { name: 'timestamp', data_type: 'string', description: 'ISO-8601 time of the tick' },
    PAYLOAD_PORT,
  ],
  config: ZScheduleConfig,
  flags: { trigger: true, executable: false },
  palette: { label: 'Schedule', color: CATEGORY_COLORS.trigger, icon: 'clock' },
});
