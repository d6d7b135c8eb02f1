/** One execution: summary, error, trigger payload, final output, node logs; live refresh over the socket. */
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useParams } from 'react-router';
import { executionApi, executionKeys, useExecution } from '../api/executions';
import { ErrorState } from '../components/error-state';
import { formatDate } from '../components/format-date';
import { JsonView } from '../components/json-view';
import { Loading } from '../components/loading';
import { StatusBadge } from '../components/status-badge';
import { ui } from '../components/ui';
import { useSocketEvents, useSubscription } from '../ws/hooks';

const FINAL = new Set([
  'execution_completed',
  'execution_failed',
  'execution_interrupted',
  'execution_cancelled',
]);

export function ExecutionDetailPage() {
  const { id = '' } = useParams();
  const qc = useQueryClient();
  const detail = useExecution(id);
  const [open, setOpen] = useState<Set<number>>(new Set());
  const [cancelError, setCancelError] = useState<unknown>(null);
  useSubscription(id ? `execution:${id}` : null);
  useSocketEvents((m) => {
    if (m.execution_id === id && (FINAL.has(m.type) || m.type === 'node_status')) {
      void qc.invalidateQueries({ queryKey: executionKeys.detail(id) });
    }
  });

  const cancel = async () => {
    setCancelError(null);
    try {
      await executionApi.cancel(id);
      await qc.invalidateQueries({ queryKey: executionKeys.all });
    } catch (err) {
      setCancelError(err);
    }
  };

  const e = detail.data;
  return (
    <div className="space-y-4 p-6">
      <h1 className={ui.h1}>
        Execution <span className="font-mono text-base">{id}</span>
      </h1>
      {detail.isPending ? <Loading /> : null}
      <ErrorState error={detail.error} title="Could not load the execution" />
      <ErrorState error={cancelError} title="Cancel failed" />
      {e ? (
        <>
          <div className="grid grid-cols-4 gap-3">
            <div className={ui.card}>
              <p className={ui.muted}>Workflow</p>
              <p>{e.workflow_slug}</p>
            </div>
            <div className={ui.card}>
              <p className={ui.muted}>Status</p>
              <StatusBadge status={e.status} />
            </div>
            <div className={ui.card}>
              <p className={ui.muted}>Started</p>
              <p>{formatDate(e.started_at)}</p>
            </div>
            <div className={ui.card}>
              <p className={ui.muted}>Completed</p>
              <p>{formatDate(e.completed_at)}</p>
            </div>
          </div>
          {['pending', 'running', 'interrupted'].includes(e.status) ? (
            <button type="button" className={ui.danger} onClick={() => void cancel()}>
              Cancel execution
            </button>
          ) : null}
          {e.error_message ? <ErrorState error={e.error_message} title="Error" /> : null}
          {e.trigger_payload != null ? <JsonView label="Trigger payload" value={e.trigger_payload} /> : null}
          {e.final_output != null ? <JsonView label="Final output" value={e.final_output} /> : null}
          <section className={ui.card} aria-label="Node execution logs">
            <h2 className="mb-2 font-semibold">Node logs</h2>
            <table className={ui.table}>
              <thead>
                <tr>
                  <th className={ui.th}>Node</th>
                  <th className={ui.th}>Status</th>
                  <th className={ui.th}>Duration</th>
                  <th className={ui.th}>Time</th>
                  <th className={ui.th}>Output</th>
                </tr>
              </thead>
              <tbody>
                {(e.logs ?? []).map((log) => (
                  <tr key={log.id} className="align-top">
                    <td className={`${ui.td} font-mono text-xs`}>{log.node_id}</td>
                    <td className={ui.td}>
                      <StatusBadge status={log.status} />
                    </td>
                    <td className={ui.td}>{log.duration_ms ?? '—'} ms</td>
                    <td className={ui.td}>{formatDate(log.timestamp)}</td>
                    <td className={ui.td}>
                      {log.output != null || log.error ? (
                        <button
                          type="button"
                          className={ui.button}
                          aria-expanded={open.has(log.id)}
                          onClick={() =>
                            setOpen((s) => {
                              const n = new Set(s);
                              if (n.has(log.id)) n.delete(log.id);
                              else n.add(log.id);
                              return n;
                            })
                          }
                        >
                          {open.has(log.id) ? 'Hide' : 'Show'}
                        </button>
                      ) : null}
                      {open.has(log.id) ? (
                        <JsonView label={`Output of ${log.node_id}`} value={log.error ?? log.output} />
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </>
      ) : null}
    </div>
  );
}
