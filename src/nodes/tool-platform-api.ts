import { defineTool, SELF_AWARENESS_COLOR } from './tool-shared.js';

/** Calls this platform's own REST API (base URL locked to the platform). */
export const platformApi = defineTool({
  type: 'platform_api',
  displayName: 'Platform API',
  description: "Lets the agent call Pipelit's own API.",
  category: 'agent',
  icon: 'plug',
  color: SELF_AWARENESS_COLOR,
});
