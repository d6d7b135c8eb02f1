/** One handle with its caption; sub-component slots are drawn as coloured diamonds. */
import { Handle, Position } from '@xyflow/react';
import { memo } from 'react';
import { type HandleSpec, SUB_SLOTS } from './handles';

const POSITIONS = { left: Position.Left, right: Position.Right, top: Position.Top, bottom: Position.Bottom };

interface NodeHandleProps {
  handle: HandleSpec;
  /** Offset along the side, in percent. */
  offset: number;
}

export const NodeHandle = memo(function NodeHandle({ handle, offset }: NodeHandleProps) {
  const vertical = handle.side === 'left' || handle.side === 'right';
  const diamond = handle.side === 'top' || handle.side === 'bottom';
  const color = handle.slot ? SUB_SLOTS[handle.slot].color : '#64748b';
  const style = {
    [vertical ? 'top' : 'left']: `${offset}%`,
    background: color,
    width: 10,
    height: 10,
    transform: `${vertical ? 'translateY(-50%)' : 'translateX(-50%)'}${diamond ? ' rotate(45deg)' : ''}`,
    borderRadius: diamond ? 1 : 5,
  };
  const captionClass = {
    left: 'left-2 -translate-y-1/2',
    right: 'right-2 -translate-y-1/2',
    top: 'top-1 -translate-x-1/2',
    bottom: 'bottom-1 -translate-x-1/2',
  }[handle.side];
  return (
    <>
      <Handle
        id={handle.id}
        type={handle.kind}
        position={POSITIONS[handle.side]}
        style={style}
        title={[handle.label || handle.id, handle.dataType].filter(Boolean).join(': ')}
        aria-label={`${handle.kind === 'source' ? 'Output' : 'Input'} ${handle.label || handle.id}`}
        data-handle-id={handle.id}
      />
      {handle.label ? (
        <span
          className={`pointer-events-none absolute text-[10px] text-slate-500 dark:text-slate-400 ${captionClass}`}
          style={{ [vertical ? 'top' : 'left']: `${offset}%` }}
        >
          {handle.label}
        </span>
      ) : null}
    </>
  );
});
