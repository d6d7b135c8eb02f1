/**
 * Start / pause / stop of a schedule trigger's job (node-level schedule routes). The answer is the
 * updated node; the server also publishes `node_updated`, which refreshes the canvas.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { patchWorkflowCache } from '../api/editing';
import { scheduleApi, scheduleKeys } from '../api/schedules';
import type { WorkflowNode } from '../api/types';
import { ErrorState } from '../components/error-state';
import { formatDate } from '../components/format-date';
import { StatusBadge } from '../components/status-badge';
import { ui } from '../components/ui';

export function ScheduleControls({ slug, node }: { slug: string; node: WorkflowNode }) {
  const qc = useQueryClient();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const job = node.schedule_job ?? null;

  const act = async (action: 'start' | 'pause' | 'stop') => {
    setError(null);
    setBusy(true);
    try {
      const answer = await scheduleApi.nodeAction(slug, node.node_id, action);
      if (answer && typeof answer === 'object' && 'node_id' in answer) {
        patchWorkflowCache(qc, slug, { type: 'node_updated', data: answer as WorkflowNode });
      }
      await qc.invalidateQueries({ queryKey: scheduleKeys.all });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section
      aria-label="Schedule"
      className="space-y-2 rounded-md border border-slate-200 p-2 text-sm dark:border-slate-700"
    >
      <h3 className="font-medium">Schedule</h3>
      <p>
        {job ? (
          <>
            <StatusBadge status={job.status} /> · {job.run_count} runs
            {job.status === 'active' ? ` · next ${formatDate(job.next_run_at)}` : ''}
          </>
        ) : (
          'Not scheduled. Save the interval or cron settings, then Start.'
        )}
      </p>
      <div className="flex gap-2">
        <button type="button" className={ui.button} disabled={busy} onClick={() => void act('start')}>
          {job?.status === 'paused' ? 'Resume schedule' : 'Start schedule'}
        </button>
        {job?.status === 'active' ? (
          <button type="button" className={ui.button} disabled={busy} onClick={() => void act('pause')}>
            Pause schedule
          </button>
        ) : null}
        {job ? (
          <button type="button" className={ui.button} disabled={busy} onClick={() => void act('stop')}>
            Stop schedule
          </button>
        ) : null}
      </div>
      <ErrorState error={error} title="Schedule action failed" />
    </section>
  );
}
