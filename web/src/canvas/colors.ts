/** Category colours and labels (spec §13.3); a node type's own palette colour wins. */
import type { NodeTypeSpec } from '../api/types';

export const CATEGORY_COLORS: Record<string, string> = {
  trigger: '#f97316',
  ai: '#8b5cf6',
  sub_component: '#3b82f6',
  agent: '#14b8a6',
  tool: '#10b981',
  memory: '#f59e0b',
  logic: '#6366f1',
  flow: '#ec4899',
  output: '#0ea5e9',
};

export const CATEGORY_LABELS: Record<string, string> = {
  trigger: 'Triggers',
  ai: 'AI',
  sub_component: 'Sub-components',
  agent: 'Agent tools',
  tool: 'Tools',
  memory: 'Memory',
  logic: 'Logic',
  flow: 'Flow',
  output: 'Output',
};

export const CATEGORY_ORDER = [
  'trigger',
  'ai',
  'sub_component',
  'tool',
  'agent',
  'memory',
  'logic',
  'flow',
  'output',
];

export function colorOf(spec: NodeTypeSpec | undefined): string {
  if (!spec) return '#64748b';
  return spec.palette?.color || CATEGORY_COLORS[spec.category] || '#64748b';
}
