/**
 * One execution: summary with tokens and cost, error, cancel / re-run, approve or deny a waiting
 * confirmation, trigger payload, final output and the per-node timeline. Live: every event on
 * `execution:<id>` refetches the detail (no polling).
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { executionApi, executionKeys, useExecution } from '../api/executions';
import { ErrorState } from '../components/error-state';
import { ExecutionTimeline, formatCost } from '../components/execution-timeline';
import { formatDate } from '../components/format-date';
import { JsonView } from '../components/json-view';
import { Loading } from '../components/loading';
import { StatusBadge } from '../components/status-badge';
import { ui } from '../components/ui';
import { useSocketEvents, useSubscription } from '../ws/hooks';

const LIVE = new Set([
  'execution_started',
  'node_status',
  'execution_completed',
  'execution_failed',
  'execution_interrupted',
  'execution_cancelled',
]);

function Stat({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className={ui.card}>
      <p className={ui.muted}>{label}</p>
      <div className="text-sm">{children}</div>
    </div>
  );
}

export function ExecutionDetailPage() {
  const { id = '' } = useParams();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const detail = useExecution(id);
  const [actionError, setActionError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  useSubscription(id ? `execution:${id}` : null);
  useSocketEvents((m) => {
    if (m.execution_id === id && LIVE.has(m.type)) {
      void qc.invalidateQueries({ queryKey: executionKeys.detail(id) });
    }
  });

  const act = async (action: () => Promise<unknown>) => {
    setActionError(null);
    setBusy(true);
    try {
      await action();
      await qc.invalidateQueries({ queryKey: executionKeys.all });
    } catch (err) {
      setActionError(err);
    } finally {
      setBusy(false);
    }
  };
  const rerun = () =>
    act(async () => {
      const fresh = await executionApi.rerun(id);
      navigate(`/executions/${fresh.execution_id}`);
    });

  const e = detail.data;
  const tasks = e?.pending_tasks ?? [];
  return (
    <div className="space-y-4 p-6">
      <h1 className={ui.h1}>
        Execution <span className="font-mono text-base">{id}</span>
      </h1>
      {detail.isPending ? <Loading /> : null}
      <ErrorState error={detail.error} title="Could not load the execution" />
      <ErrorState error={actionError} title="Action failed" />
      {e ? (
        <>
          <div className="grid grid-cols-3 gap-3 xl:grid-cols-6">
            <Stat label="Workflow">
              <Link
                className="text-sky-700 hover:underline dark:text-sky-400"
                to={`/workflows/${e.workflow_slug}`}
              >
                {e.workflow_slug}
              </Link>
            </Stat>
            <Stat label="Status">
              <span data-testid="execution-status">
                <StatusBadge status={e.status} />
              </span>
            </Stat>
            <Stat label="Started">{formatDate(e.started_at)}</Stat>
            <Stat label="Completed">{formatDate(e.completed_at)}</Stat>
            <Stat label="Tokens">
              {e.total_tokens ?? 0}
              {e.llm_calls ? <span className={ui.muted}> ({e.llm_calls} LLM calls)</span> : null}
            </Stat>
            <Stat label="Cost">{formatCost(e.total_cost_usd)}</Stat>
          </div>
          <div className="flex gap-2">
            {['pending', 'running', 'interrupted'].includes(e.status) ? (
              <button
                type="button"
                className={ui.danger}
                disabled={busy}
                onClick={() => void act(() => executionApi.cancel(id))}
              >
                Cancel execution
              </button>
            ) : null}
            {['completed', 'failed', 'cancelled'].includes(e.status) ? (
              <button type="button" className={ui.button} disabled={busy} onClick={() => void rerun()}>
                Re-run
              </button>
            ) : null}
          </div>
          {tasks.map((t) => (
            <section
              key={t.task_id}
              aria-label="Waiting for confirmation"
              className={`${ui.card} space-y-2 border-cyan-400`}
            >
              <h2 className="font-semibold">
                Waiting for confirmation at {t.node_id}
                {t.iteration ? (
                  <span className="font-normal text-slate-500"> ({loopItemLabel(t.iteration)})</span>
                ) : null}
              </h2>
              {t.prompt ? <p className="text-sm whitespace-pre-wrap">{t.prompt}</p> : null}
              <div className="flex gap-2">
                <button
                  type="button"
                  className={ui.primary}
                  disabled={busy}
                  onClick={() => void act(() => executionApi.approve(id, t.task_id))}
                >
                  Approve
                </button>
                <button
                  type="button"
                  className={ui.danger}
                  disabled={busy}
                  onClick={() => void act(() => executionApi.deny(id, t.task_id))}
                >
                  Deny
                </button>
              </div>
            </section>
          ))}
          {e.error_message ? (
            <ErrorState
              error={`${e.error_code ? `${e.error_code}: ` : ''}${e.error_message}`}
              title="Error"
            />
          ) : null}
          <div className="grid grid-cols-2 gap-3">
            <div>
              <h2 className="mb-1 text-sm font-semibold">Trigger payload</h2>
              <JsonView label="Trigger payload" value={e.trigger_payload ?? null} />
            </div>
            <div>
              <h2 className="mb-1 text-sm font-semibold">Final output</h2>
              <JsonView label="Final output" value={e.final_output ?? null} />
            </div>
          </div>
          <section className={ui.card} aria-labelledby="timeline-title">
            <h2 id="timeline-title" className="mb-2 font-semibold">
              Timeline
            </h2>
            <ExecutionTimeline logs={e.logs ?? []} />
          </section>
        </>
      ) : null}
    </div>
  );
}

/** `each:2` → `item 3 of loop each`; nested loops read innermost first. */
function loopItemLabel(iteration: string): string {
  return iteration
    .split('/')
    .reverse()
    .map((part) => {
      const at = part.lastIndexOf(':');
      return `item ${Number(part.slice(at + 1)) + 1} of loop ${part.slice(0, at)}`;
    })
    .join(', ');
}
