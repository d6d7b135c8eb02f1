import { defineTool, SELF_AWARENESS_COLOR } from './tool-shared.js';

/** Returns the current TOTP code of an agent user. */
export const getTotpCode = defineTool({
  type: 'get_totp_code',
  displayName: 'Get TOTP Code',
  description: "Lets the agent read its agent user's current TOTP code.",
  category: 'agent',
  icon: 'key-round',
  color: SELF_AWARENESS_COLOR,
});
