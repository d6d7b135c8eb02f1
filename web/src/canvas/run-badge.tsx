/** The live status of an executable node, read narrowly from the run-state store. */
import { memo } from 'react';
import { useNodeRunState } from './run-state';

const LOOK: Record<string, { color: string; text: string }> = {
  pending: { color: '#94a3b8', text: '…' },
  running: { color: '#3b82f6', text: '⟳' },
  waiting: { color: '#0ea5e9', text: '⌛' },
  success: { color: '#10b981', text: '✓' },
  failed: { color: '#ef4444', text: '✕' },
  skipped: { color: '#94a3b8', text: '↷' },
};

export const RunBadge = memo(function RunBadge({ nodeId }: { nodeId: string }) {
  const state = useNodeRunState(nodeId);
  const look = state ? (LOOK[state.status] ?? LOOK.pending) : null;
  return (
    <span
      role="img"
      aria-label={`Status: ${state?.status ?? 'idle'}`}
      data-status={state?.status ?? 'idle'}
      className="flex h-5 w-5 items-center justify-center rounded-full text-xs text-white"
      style={{ background: look?.color ?? '#cbd5e1' }}
    >
      {look?.text ?? '–'}
    </span>
  );
});
