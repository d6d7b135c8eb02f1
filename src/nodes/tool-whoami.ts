import { defineTool, SELF_AWARENESS_COLOR } from './tool-shared.js';

/** Tells the agent which workflow and node it is, and how to modify itself. */
export const whoami = defineTool({
  type: 'whoami',
  displayName: 'Who Am I',
  description: 'Lets the agent read its own identity and configuration.',
  category: 'agent',
  icon: 'fingerprint',
  color: SELF_AWARENESS_COLOR,
});
