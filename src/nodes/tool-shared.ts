/** The shape shared by tool node types: plugged into an agent through a `tool` edge, never scheduled. */
import { z } from 'zod';
import { CATEGORY_COLORS, defineNode, type NodeCategory, type NodeDescriptor } from './define-node.js';

export interface ToolSpec<S extends z.ZodType> {
  type: string;
  displayName: string;
  description: string;
  /** Registry category as the reference has it (`sub_component`, `agent`, `tool`, `memory`). */
  category: NodeCategory;
  config?: S;
  icon: string;
  /** Palette colour; defaults to the category's. */
  color?: string;
}

const TOOL_OUTPUT = [{ name: 'result', data_type: 'string' as const, description: 'What the tool returned' }];

export function defineTool<S extends z.ZodType = z.ZodObject>(spec: ToolSpec<S>): NodeDescriptor<S> {
  return defineNode({
    type: spec.type,
    displayName: spec.displayName,
    description: spec.description,
    category: spec.category,
    inputs: [],
    outputs: TOOL_OUTPUT,
    config: (spec.config ?? z.looseObject({})) as S,
    flags: { executable: false, subComponent: true },
    palette: {
      label: spec.displayName,
      color: spec.color ?? CATEGORY_COLORS[spec.category],
      icon: spec.icon,
    },
  });
}

/** Self-awareness tools use teal, as the reference canvas does. */
export const SELF_AWARENESS_COLOR = '#14b8a6';
