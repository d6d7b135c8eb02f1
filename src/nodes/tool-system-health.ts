import { defineTool, SELF_AWARENESS_COLOR } from './tool-shared.js';

/** Reports queue, worker, execution and schedule health. */
export const systemHealth = defineTool({
  type: 'system_health',
  displayName: 'System Health',
  description: 'Lets the agent check the health of the platform.',
  category: 'agent',
  icon: 'activity',
  color: SELF_AWARENESS_COLOR,
});
