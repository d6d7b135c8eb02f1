/** Executions: status filter, paged table, row link to the detail. */
import { useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { Link } from 'react-router';
import { executionKeys, useExecutions } from '../api/executions';
import { useWorkflows } from '../api/workflows';
import { ErrorState } from '../components/error-state';
import { formatDate } from '../components/format-date';
import { Loading } from '../components/loading';
import { Pager } from '../components/pager';
import { StatusBadge } from '../components/status-badge';
import { ui } from '../components/ui';
import { useSocketEvents, useSubscriptions } from '../ws/hooks';

const EXECUTION_EVENTS = new Set([
  'execution_started',
  'execution_completed',
  'execution_failed',
  'execution_interrupted',
  'execution_cancelled',
]);

const PAGE = 50;
const STATUSES = ['', 'pending', 'running', 'interrupted', 'completed', 'failed', 'cancelled'];

export function ExecutionsPage() {
  const [status, setStatus] = useState('');
  const [offset, setOffset] = useState(0);
  const list = useExecutions(status, PAGE, offset);
  const filterId = useId();
  const qc = useQueryClient();
  // Live: watch every workflow's channel; any execution event there refreshes the list (no polling).
  const workflows = useWorkflows(200, 0);
  useSubscriptions((workflows.data?.items ?? []).map((w) => `workflow:${w.slug}`));
  useSocketEvents((m) => {
    if (EXECUTION_EVENTS.has(m.type)) void qc.invalidateQueries({ queryKey: executionKeys.all });
  });

  return (
    <div className="space-y-4 p-6">
      <header className="flex items-center justify-between">
        <h1 className={ui.h1}>Executions</h1>
        <div className="flex items-center gap-2">
          <label htmlFor={filterId} className={ui.label}>
            Status
          </label>
          <select
            id={filterId}
            className={`${ui.input} w-40`}
            value={status}
            onChange={(e) => {
              setStatus(e.target.value);
              setOffset(0);
            }}
          >
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s || 'All'}
              </option>
            ))}
          </select>
        </div>
      </header>
      <ErrorState error={list.error} title="Could not load executions" />
      {list.isPending ? <Loading /> : null}
      {list.data && list.data.items.length === 0 ? <p className={ui.muted}>No executions yet.</p> : null}
      {list.data && list.data.items.length > 0 ? (
        <div className={ui.card}>
          <table className={ui.table}>
            <thead>
              <tr>
                <th className={ui.th}>Execution</th>
                <th className={ui.th}>Workflow</th>
                <th className={ui.th}>Status</th>
                <th className={ui.th}>Started</th>
                <th className={ui.th}>Completed</th>
                <th className={ui.th}>Tokens</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((e) => (
                <tr key={e.execution_id}>
                  <td className={`${ui.td} font-mono text-xs`}>
                    <Link
                      to={`/executions/${e.execution_id}`}
                      className="text-sky-700 hover:underline dark:text-sky-400"
                    >
                      {e.execution_id.slice(0, 8)}
                    </Link>
                  </td>
                  <td className={ui.td}>{e.workflow_slug}</td>
                  <td className={ui.td}>
                    <StatusBadge status={e.status} />
                  </td>
                  <td className={ui.td}>{formatDate(e.started_at)}</td>
                  <td className={ui.td}>{formatDate(e.completed_at)}</td>
                  <td className={ui.td}>{e.total_tokens ?? 0}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager total={list.data.total} offset={offset} pageSize={PAGE} onChange={setOffset} />
        </div>
      ) : null}
    </div>
  );
}
