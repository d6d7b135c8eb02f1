import { defineTool } from './tool-shared.js';

/** Safe arithmetic: + - * / // % ** unary minus and parentheses. */
export const calculator = defineTool({
  type: 'calculator',
  displayName: 'Calculator',
  description: 'Lets the agent evaluate arithmetic expressions.',
  category: 'tool',
  icon: 'calculator',
});
