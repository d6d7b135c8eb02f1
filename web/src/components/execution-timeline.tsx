/**
 * Per-node timeline of one execution: a bar per node log placed by start time and sized by duration,
 * with status, tokens and cost; a row expands to the node's input, output and error.
 */
import { useState } from 'react';
import type { ExecutionLog } from '../api/types';
import { JsonView } from './json-view';
import { StatusBadge } from './status-badge';
import { ui } from './ui';

const BAR: Record<string, string> = {
  completed: 'bg-emerald-500',
  success: 'bg-emerald-500',
  failed: 'bg-red-500',
  running: 'bg-sky-500',
  waiting: 'bg-cyan-500',
  skipped: 'bg-slate-400',
};

const ms = (iso: string | null | undefined) => (iso ? Date.parse(iso) : Number.NaN);

export function formatCost(usd: number | undefined): string {
  if (!usd) return '$0';
  return usd < 0.01 ? `$${usd.toFixed(6)}` : `$${usd.toFixed(4)}`;
}

export function ExecutionTimeline({ logs }: { logs: ExecutionLog[] }) {
  const [open, setOpen] = useState<Set<number>>(new Set());
  const starts = logs.map((l) => ms(l.started_at ?? l.timestamp)).filter((n) => !Number.isNaN(n));
  const ends = logs
    .map((l) => ms(l.completed_at) || ms(l.started_at) + (l.duration_ms ?? 0))
    .filter((n) => !Number.isNaN(n));
  const t0 = starts.length ? Math.min(...starts) : 0;
  const span = Math.max(1, (ends.length ? Math.max(...ends) : t0) - t0);
  const toggle = (id: number) =>
    setOpen((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });

  if (logs.length === 0) return <p className={ui.muted}>No node has run yet.</p>;
  return (
    <ol className="space-y-1" aria-label="Node timeline">
      {logs.map((log) => {
        const start = ms(log.started_at ?? log.timestamp);
        const left = Number.isNaN(start) ? 0 : ((start - t0) / span) * 100;
        const width = Math.max(1, ((log.duration_ms ?? 0) / span) * 100);
        const tokens = (log.input_tokens ?? 0) + (log.output_tokens ?? 0);
        return (
          <li
            key={log.id}
            data-testid={`log-${log.node_id}`}
            className="rounded-md border border-slate-100 p-2 dark:border-slate-800"
          >
            <div className="grid grid-cols-[12rem_6rem_1fr_7rem_9rem_5rem] items-center gap-2 text-sm">
              <span className="truncate font-mono text-xs" title={log.node_id}>
                {log.node_id}
                {log.iteration ? <span className="text-slate-400"> [{log.iteration}]</span> : null}
              </span>
              <StatusBadge status={log.status} />
              <div className="relative h-3 rounded bg-slate-100 dark:bg-slate-800" aria-hidden="true">
                <div
                  className={`absolute top-0 h-3 rounded ${BAR[log.status] ?? 'bg-slate-400'}`}
                  style={{
                    left: `${Math.min(left, 99)}%`,
                    width: `${Math.min(width, 100 - Math.min(left, 99))}%`,
                  }}
                />
              </div>
              <span className="text-right text-xs">
                {log.duration_ms != null ? `${log.duration_ms} ms` : '—'}
              </span>
              <span className="text-right text-xs" title="Tokens in / out · cost">
                {tokens
                  ? `${log.input_tokens ?? 0}/${log.output_tokens ?? 0} tok · ${formatCost(log.cost_usd)}`
                  : ''}
              </span>
              <button
                type="button"
                className={ui.button}
                aria-expanded={open.has(log.id)}
                onClick={() => toggle(log.id)}
              >
                {open.has(log.id) ? 'Hide' : 'Details'}
                <span className="sr-only"> of {log.node_id}</span>
              </button>
            </div>
            {log.error ? (
              <p role="alert" className="mt-1 text-sm text-red-700 dark:text-red-300">
                {log.error_code ? `${log.error_code}: ` : ''}
                {log.error}
              </p>
            ) : null}
            {open.has(log.id) ? (
              <div className="mt-2 grid grid-cols-2 gap-2">
                <div>
                  <p className="text-xs font-medium">Input</p>
                  <JsonView label={`Input of ${log.node_id}`} value={log.input ?? null} />
                </div>
                <div>
                  <p className="text-xs font-medium">Output{log.route ? ` (route ${log.route})` : ''}</p>
                  <JsonView label={`Output of ${log.node_id}`} value={log.output ?? null} />
                </div>
              </div>
            ) : null}
          </li>
        );
      })}
    </ol>
  );
}
