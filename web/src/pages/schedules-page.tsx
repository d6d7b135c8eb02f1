/** Schedules: every scheduled job of the user's workflows, with pause / resume / delete. */
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { scheduleApi, scheduleKeys, useSchedules } from '../api/schedules';
import type { Schedule } from '../api/types';
import { useWorkflows } from '../api/workflows';
import { ConfirmDialog } from '../components/confirm-dialog';
import { ErrorState } from '../components/error-state';
import { formatDate } from '../components/format-date';
import { Loading } from '../components/loading';
import { StatusBadge } from '../components/status-badge';
import { ui } from '../components/ui';

function timing(s: Schedule): string {
  if (s.cron) return `cron ${s.cron}${s.timezone ? ` (${s.timezone})` : ''}`;
  return `every ${s.interval_seconds} s`;
}

export function SchedulesPage() {
  const list = useSchedules();
  const workflows = useWorkflows(200, 0);
  const qc = useQueryClient();
  const [error, setError] = useState<unknown>(null);
  const [doomed, setDoomed] = useState<Schedule | null>(null);
  const slugOf = new Map((workflows.data?.items ?? []).map((w) => [w.id, w.slug]));

  const act = async (action: () => Promise<unknown>) => {
    setError(null);
    try {
      await action();
    } catch (err) {
      setError(err);
    }
    await qc.invalidateQueries({ queryKey: scheduleKeys.all });
  };

  return (
    <div className="space-y-4 p-6">
      <h1 className={ui.h1}>Schedules</h1>
      <p className={ui.muted}>
        Schedules start from a workflow's schedule trigger (Start in its node panel) or through the API.
      </p>
      <ErrorState error={error} title="Schedule action failed" />
      <ErrorState error={list.error} title="Could not load schedules" />
      {list.isPending ? <Loading /> : null}
      {list.data && list.data.items.length === 0 ? <p className={ui.muted}>No schedules yet.</p> : null}
      {list.data && list.data.items.length > 0 ? (
        <div className={ui.card}>
          <table className={ui.table}>
            <thead>
              <tr>
                <th className={ui.th}>Name</th>
                <th className={ui.th}>Workflow</th>
                <th className={ui.th}>Timing</th>
                <th className={ui.th}>Status</th>
                <th className={ui.th}>Runs / errors</th>
                <th className={ui.th}>Next run</th>
                <th className={ui.th}>
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((s) => {
                const slug = slugOf.get(s.workflow_id);
                return (
                  <tr key={s.id} className="align-top">
                    <td className={ui.td}>
                      {s.name}
                      {s.last_error ? <p className="text-xs text-red-600">{s.last_error}</p> : null}
                    </td>
                    <td className={ui.td}>
                      {slug ? (
                        <Link
                          className="text-sky-700 hover:underline dark:text-sky-400"
                          to={`/workflows/${slug}`}
                        >
                          {slug}
                        </Link>
                      ) : (
                        `#${s.workflow_id}`
                      )}
                    </td>
                    <td className={ui.td}>{timing(s)}</td>
                    <td className={ui.td}>
                      <StatusBadge status={s.status} />
                    </td>
                    <td className={ui.td}>
                      {s.run_count} / {s.error_count}
                    </td>
                    <td className={ui.td}>{s.status === 'active' ? formatDate(s.next_run_at) : '—'}</td>
                    <td className={`${ui.td} space-x-1 whitespace-nowrap`}>
                      {s.status === 'active' ? (
                        <button
                          type="button"
                          className={ui.button}
                          onClick={() => void act(() => scheduleApi.pause(s.id))}
                        >
                          Pause<span className="sr-only"> {s.name}</span>
                        </button>
                      ) : (
                        <button
                          type="button"
                          className={ui.button}
                          onClick={() => void act(() => scheduleApi.resume(s.id))}
                        >
                          Resume<span className="sr-only"> {s.name}</span>
                        </button>
                      )}
                      <button type="button" className={ui.button} onClick={() => setDoomed(s)}>
                        Delete<span className="sr-only"> {s.name}</span>
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      <ConfirmDialog
        title="Delete schedule"
        message={`Delete the schedule "${doomed?.name ?? ''}"?`}
        open={doomed !== null}
        onConfirm={() => {
          const id = doomed?.id;
          setDoomed(null);
          if (id) void act(() => scheduleApi.remove(id));
        }}
        onCancel={() => setDoomed(null)}
      />
    </div>
  );
}
