/** The one node component: coloured header from the type, label, handles from the descriptor, live badge. */
import { type NodeProps, useUpdateNodeInternals } from '@xyflow/react';
import { memo, useEffect, useMemo } from 'react';
import { colorOf } from './colors';
import type { PipelitFlowNode } from './flow-types';
import { type HandleSide, handlesFor } from './handles';
import { NodeHandle } from './node-handle';
import { RunBadge } from './run-badge';

/** The label shown: the user's label, else the id without its `<type>_` prefix. */
export function displayLabel(nodeId: string, label: string | null, type: string): string {
  if (label) return label;
  return nodeId.startsWith(`${type}_`) ? nodeId.slice(type.length + 1) : nodeId;
}

export const PipelitNode = memo(function PipelitNode({ data, selected }: NodeProps<PipelitFlowNode>) {
  const { node, spec, problems } = data;
  const handles = useMemo(() => handlesFor(node, spec), [node, spec]);
  const handleKey = handles.map((h) => h.id).join('|');
  const updateInternals = useUpdateNodeInternals();
  // Switch rules add and remove handles: xyflow must re-measure them.
  useEffect(() => {
    if (handleKey) updateInternals(node.node_id);
  }, [handleKey, node.node_id, updateInternals]);
  const color = colorOf(spec);
  const bySide = (side: HandleSide) => handles.filter((h) => h.side === side);
  const wide = bySide('bottom').length > 1;
  const caption = spec?.display_name ?? node.component_type;

  return (
    <div
      className={`relative rounded-lg border-2 bg-white text-slate-900 shadow-sm dark:bg-slate-900 dark:text-slate-100 ${
        selected ? 'ring-2 ring-sky-400' : ''
      } ${problems.length ? 'border-red-500' : ''}`}
      style={{ borderColor: problems.length ? undefined : color, width: wide ? 250 : 190 }}
      data-testid={`node-${node.node_id}`}
      data-component-type={node.component_type}
    >
      <div
        className="flex items-center gap-2 rounded-t-md px-2 py-1 text-xs font-semibold text-white"
        style={{ background: color }}
      >
        <span className="flex-1 truncate">{caption}</span>
        {node.is_entry_point ? <span title="Entry point">▶</span> : null}
        {spec?.executable ? <RunBadge nodeId={node.node_id} /> : null}
      </div>
      <div className="px-3 pt-2 pb-5 text-sm">
        <p className="truncate font-medium">{displayLabel(node.node_id, node.label, node.component_type)}</p>
        {problems.length ? (
          <p role="alert" className="mt-1 text-xs text-red-600 dark:text-red-400" title={problems.join('\n')}>
            {problems.length} problem{problems.length > 1 ? 's' : ''}: {problems[0]}
          </p>
        ) : null}
      </div>
      {(['left', 'right', 'top', 'bottom'] as const).map((side) => {
        const list = bySide(side);
        return list.map((h, i) => (
          <NodeHandle key={`${h.kind}-${h.id}`} handle={h} offset={((i + 1) * 100) / (list.length + 1)} />
        ));
      })}
    </div>
  );
});
