import { defineTool, SELF_AWARENESS_COLOR } from './tool-shared.js';

/** Five tools: create, pause, resume, stop and list schedules. */
export const schedulerTools = defineTool({
  type: 'scheduler_tools',
  displayName: 'Scheduler Tools',
  description: 'Lets the agent create and manage schedules.',
  category: 'agent',
  icon: 'calendar-clock',
  color: SELF_AWARENESS_COLOR,
});
