/**
 * Which handles a node shows, derived from its type descriptor (ports, flags, accepted
 * sub-components) and, for switch nodes, from its rules. Also maps stored edges back to handles.
 */
import type { NodeTypeSpec, WorkflowEdge, WorkflowNode } from '../api/types';

export type HandleSide = 'left' | 'right' | 'top' | 'bottom';

export interface HandleSpec {
  id: string;
  kind: 'source' | 'target';
  side: HandleSide;
  label: string;
  /** Data handles carry a port type; sub-component handles carry their slot. */
  dataType?: string;
  slot?: SubSlot;
}

/** Sub-component slots: the bottom target handles and the edge label each one creates. */
export const SUB_SLOTS = {
  model: { label: 'model', edgeLabel: 'llm', flag: 'requires_model', color: '#3b82f6' },
  tools: { label: 'tools', edgeLabel: 'tool', flag: 'requires_tools', color: '#10b981' },
  memory: { label: 'memory', edgeLabel: 'memory', flag: 'requires_memory', color: '#f59e0b' },
  output_parser: {
    label: 'parser',
    edgeLabel: 'output_parser',
    flag: 'requires_output_parser',
    color: '#64748b',
  },
  skills: { label: 'skills', edgeLabel: 'skill', flag: 'requires_skills', color: '#a855f7' },
} as const;
export type SubSlot = keyof typeof SUB_SLOTS;

export const DATA_IN = 'in';
export const DATA_OUT = 'out';
export const SUB_SOURCE = 'sub-source';

interface SwitchRule {
  id?: unknown;
  label?: unknown;
}

export function acceptsSlot(spec: NodeTypeSpec | undefined, slot: SubSlot): boolean {
  return Boolean(spec?.[SUB_SLOTS[slot].flag]);
}

export function handlesFor(node: WorkflowNode, spec: NodeTypeSpec | undefined): HandleSpec[] {
  const handles: HandleSpec[] = [];
  const isTrigger = spec?.is_trigger ?? node.component_type.startsWith('trigger_');
  const isSub = spec?.is_sub_component ?? false;
  const firstIn = spec?.inputs[0]?.data_type ?? 'any';
  const firstOut = spec?.outputs[0]?.data_type ?? 'any';

  if (isSub) {
    handles.push({ id: SUB_SOURCE, kind: 'source', side: 'top', label: '' });
    return handles;
  }
  if (!isTrigger) handles.push({ id: DATA_IN, kind: 'target', side: 'left', label: '', dataType: firstIn });

  switch (node.component_type) {
    case 'switch': {
      const extra = node.config?.extra_config ?? {};
      const rules = Array.isArray(extra.rules) ? (extra.rules as SwitchRule[]) : [];
      for (const rule of rules) {
        if (typeof rule?.id !== 'string' || !rule.id) continue;
        const label = typeof rule.label === 'string' && rule.label ? rule.label : rule.id;
        handles.push({ id: rule.id, kind: 'source', side: 'right', label, dataType: firstOut });
      }
      if (extra.enable_fallback) {
        handles.push({ id: '__other__', kind: 'source', side: 'right', label: 'other', dataType: firstOut });
      }
      if (rules.length === 0 && !extra.enable_fallback) {
        handles.push({ id: DATA_OUT, kind: 'source', side: 'right', label: '', dataType: firstOut });
      }
      break;
    }
    case 'loop':
      handles.push({ id: 'done', kind: 'source', side: 'right', label: 'Done', dataType: firstOut });
      handles.push({ id: 'loop_body', kind: 'source', side: 'right', label: 'Each item', dataType: 'any' });
      handles.push({ id: 'loop_return', kind: 'target', side: 'bottom', label: 'return', dataType: 'any' });
      break;
    default:
      handles.push({ id: DATA_OUT, kind: 'source', side: 'right', label: '', dataType: firstOut });
  }

  for (const slot of Object.keys(SUB_SLOTS) as SubSlot[]) {
    if (acceptsSlot(spec, slot)) {
      handles.push({ id: slot, kind: 'target', side: 'bottom', label: SUB_SLOTS[slot].label, slot });
    }
  }
  return handles;
}

/** The handles a stored edge attaches to (the API stores labels, not handle ids). */
export function edgeHandles(
  edge: WorkflowEdge,
  source: WorkflowNode | undefined,
): { sourceHandle: string; targetHandle: string } {
  const slot = (Object.keys(SUB_SLOTS) as SubSlot[]).find((s) => SUB_SLOTS[s].edgeLabel === edge.edge_label);
  if (slot) return { sourceHandle: SUB_SOURCE, targetHandle: slot };
  if (edge.edge_label === 'loop_body') return { sourceHandle: 'loop_body', targetHandle: DATA_IN };
  if (edge.edge_label === 'loop_return') {
    return {
      sourceHandle: source?.component_type === 'loop' ? 'done' : DATA_OUT,
      targetHandle: 'loop_return',
    };
  }
  if (source?.component_type === 'switch' && edge.condition_value) {
    return { sourceHandle: edge.condition_value, targetHandle: DATA_IN };
  }
  if (source?.component_type === 'loop') return { sourceHandle: 'done', targetHandle: DATA_IN };
  return { sourceHandle: DATA_OUT, targetHandle: DATA_IN };
}
