import { defineTool } from './tool-shared.js';

/** Parses and lints a Gherkin specification. */
export const validateGherkin = defineTool({
  type: 'validate_gherkin',
  displayName: 'Validate Gherkin',
  description: 'Lets the agent check Gherkin specifications.',
  category: 'sub_component',
  icon: 'list-checks',
});
