import { z } from 'zod';
import { defineTool } from './tool-shared.js';

/** `get_datetime()` → `YYYY-MM-DD HH:MM:SS TZ` in the configured time zone. */
export const datetime = defineTool({
  type: 'datetime',
  displayName: 'Date & Time',
  description: 'Lets the agent read the current date and time.',
  category: 'tool',
  icon: 'clock',
  config: z.looseObject({ timezone: z.string().default('UTC') }),
});
