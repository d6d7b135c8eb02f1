/** The last run state of one node: status, duration, output or error. */
import { memo } from 'react';
import { JsonView } from '../components/json-view';
import { StatusBadge } from '../components/status-badge';
import { useNodeRunState } from './run-state';

export const OutputInspector = memo(function OutputInspector({ nodeId }: { nodeId: string }) {
  const state = useNodeRunState(nodeId);
  return (
    <section aria-label="Node output" className="space-y-1 text-sm">
      <h3 className="font-medium">Last run</h3>
      {!state ? <p className="text-xs text-slate-500">No run seen since the editor opened.</p> : null}
      {state ? (
        <p>
          <StatusBadge status={state.status} /> {state.durationMs != null ? `${state.durationMs} ms` : ''}
        </p>
      ) : null}
      {state?.error ? (
        <JsonView
          label={`Error of ${nodeId}`}
          value={`${state.errorCode ? `${state.errorCode}: ` : ''}${state.error}`}
        />
      ) : null}
      {state?.output !== undefined ? <JsonView label={`Output of ${nodeId}`} value={state.output} /> : null}
    </section>
  );
});
