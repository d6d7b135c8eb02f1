/**
 * The one place that decides whether a connection is allowed, from port data types and the target's
 * accepted sub-components (the server's rules, spec §7.6). Returns the edge to create or the reason.
 */
import type { EdgeCreate } from '../api/editing';
import type { NodeTypeSpec, WorkflowNode } from '../api/types';
import { acceptsSlot, DATA_OUT, SUB_SLOTS, SUB_SOURCE, type SubSlot } from './handles';

const INTO_ANY = new Set([
  'string',
  'number',
  'boolean',
  'object',
  'array',
  'message',
  'messages',
  'image',
  'file',
]);

/** Port type compatibility: equal, `any` on either side, anything → any, and the message widenings. */
export function compatibleTypes(source: string, target: string): boolean {
  if (source === target || source === 'any' || target === 'any') return true;
  if (target === 'any' && INTO_ANY.has(source)) return true;
  if (source === 'message' && target === 'messages') return true;
  if (source === 'string' && (target === 'message' || target === 'messages')) return true;
  return false;
}

export interface ConnectionEnds {
  source: WorkflowNode | undefined;
  target: WorkflowNode | undefined;
  sourceSpec: NodeTypeSpec | undefined;
  targetSpec: NodeTypeSpec | undefined;
  sourceHandle: string | null | undefined;
  targetHandle: string | null | undefined;
}

export type ConnectionCheck = { ok: true; edge: EdgeCreate } | { ok: false; reason: string };

const name = (spec: NodeTypeSpec | undefined, node: WorkflowNode | undefined) =>
  spec?.display_name ?? node?.component_type ?? 'node';

export function checkConnection(c: ConnectionEnds): ConnectionCheck {
  const { source, target, sourceSpec, targetSpec } = c;
  if (!source || !target) return { ok: false, reason: 'Unknown node.' };
  if (source.node_id === target.node_id) return { ok: false, reason: 'A node cannot connect to itself.' };
  const base = { source_node_id: source.node_id, target_node_id: target.node_id };
  const targetHandle = c.targetHandle ?? 'in';
  const sourceHandle = c.sourceHandle ?? DATA_OUT;

  if (targetHandle in SUB_SLOTS) {
    const slot = targetHandle as SubSlot;
    if (sourceHandle !== SUB_SOURCE) {
      return {
        ok: false,
        reason: `The ${SUB_SLOTS[slot].label} slot takes a sub-component (its top handle).`,
      };
    }
    if (!acceptsSlot(targetSpec, slot)) {
      return { ok: false, reason: `${name(targetSpec, target)} does not accept '${slot}' connections.` };
    }
    return { ok: true, edge: { ...base, edge_label: SUB_SLOTS[slot].edgeLabel } };
  }
  if (sourceHandle === SUB_SOURCE) {
    return {
      ok: false,
      reason: `${name(sourceSpec, source)} is a sub-component: connect it to a slot below an AI node.`,
    };
  }
  if (targetHandle === 'loop_return') return { ok: true, edge: { ...base, edge_label: 'loop_return' } };
  if (sourceHandle === 'loop_body') return { ok: true, edge: { ...base, edge_label: 'loop_body' } };

  const outType = sourceSpec?.outputs[0]?.data_type;
  const inType = targetSpec?.inputs[0]?.data_type;
  if (outType && inType && !compatibleTypes(outType, inType)) {
    return {
      ok: false,
      reason: `Type mismatch: ${name(sourceSpec, source)} outputs '${outType}' but ${name(targetSpec, target)} expects '${inType}'.`,
    };
  }
  if (source.component_type === 'switch' && sourceHandle !== DATA_OUT) {
    return {
      ok: true,
      edge: { ...base, edge_label: '', edge_type: 'conditional', condition_value: sourceHandle },
    };
  }
  return { ok: true, edge: { ...base, edge_label: '' } };
}
