/** Workflows: list (50 per page) with triggers and status, create, import, export, delete, batch delete. */
import { useState } from 'react';
import { Link } from 'react-router';
import { exportWorkflow, useDeleteWorkflows, useWorkflows } from '../api/workflows';
import { ConfirmDialog } from '../components/confirm-dialog';
import { CreateWorkflowDialog } from '../components/create-workflow-dialog';
import { downloadText } from '../components/download-text';
import { ErrorState } from '../components/error-state';
import { formatDate } from '../components/format-date';
import { ImportWorkflowDialog } from '../components/import-workflow-dialog';
import { Loading } from '../components/loading';
import { Pager } from '../components/pager';
import { StatusBadge } from '../components/status-badge';
import { ui } from '../components/ui';

const PAGE = 50;

export function DashboardPage() {
  const [offset, setOffset] = useState(0);
  const list = useWorkflows(PAGE, offset);
  const remove = useDeleteWorkflows();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [dialog, setDialog] = useState<'create' | 'import' | null>(null);
  const [toDelete, setToDelete] = useState<string[] | null>(null);
  const [exportError, setExportError] = useState<unknown>(null);

  const items = list.data?.items ?? [];
  const toggle = (slug: string) =>
    setSelected((old) => {
      const next = new Set(old);
      if (next.has(slug)) next.delete(slug);
      else next.add(slug);
      return next;
    });

  const doExport = async (slug: string) => {
    setExportError(null);
    try {
      downloadText(`${slug}.yaml`, await exportWorkflow(slug));
    } catch (err) {
      setExportError(err);
    }
  };

  const confirmDelete = async () => {
    if (!toDelete) return;
    await remove.mutateAsync(toDelete).catch(() => {});
    setSelected(new Set());
    setToDelete(null);
  };

  return (
    <div className="space-y-4 p-6">
      <header className="flex items-center justify-between gap-2">
        <h1 className={ui.h1}>Workflows</h1>
        <div className="flex gap-2">
          {selected.size > 0 ? (
            <button type="button" className={ui.danger} onClick={() => setToDelete([...selected])}>
              Delete selected ({selected.size})
            </button>
          ) : null}
          <button type="button" className={ui.button} onClick={() => setDialog('import')}>
            Import YAML
          </button>
          <button type="button" className={ui.primary} onClick={() => setDialog('create')}>
            Create workflow
          </button>
        </div>
      </header>

      <ErrorState error={list.error} title="Could not load workflows" />
      <ErrorState error={remove.error} title="Delete failed" />
      <ErrorState error={exportError} title="Export failed" />
      {list.isPending ? <Loading /> : null}
      {list.data && items.length === 0 ? (
        <p className={ui.muted}>No workflows yet. Create one to get started.</p>
      ) : null}

      {items.length > 0 ? (
        <div className={ui.card}>
          <table className={ui.table}>
            <thead>
              <tr>
                <th className={ui.th}>
                  <span className="sr-only">Select</span>
                </th>
                <th className={ui.th}>Name</th>
                <th className={ui.th}>Slug</th>
                <th className={ui.th}>Status</th>
                <th className={ui.th}>Nodes</th>
                <th className={ui.th}>Edges</th>
                <th className={ui.th}>Triggers</th>
                <th className={ui.th}>Created</th>
                <th className={ui.th}>
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((w) => (
                <tr key={w.id} className="hover:bg-slate-50 dark:hover:bg-slate-800/50">
                  <td className={ui.td}>
                    <input
                      type="checkbox"
                      aria-label={`Select ${w.name}`}
                      checked={selected.has(w.slug)}
                      onChange={() => toggle(w.slug)}
                    />
                  </td>
                  <td className={ui.td}>
                    <Link
                      to={`/workflows/${w.slug}`}
                      className="font-medium text-sky-700 hover:underline dark:text-sky-400"
                    >
                      {w.name}
                    </Link>
                  </td>
                  <td className={`${ui.td} font-mono text-xs`}>{w.slug}</td>
                  <td className={ui.td}>
                    <StatusBadge status={w.is_active ? 'active' : 'inactive'} />
                  </td>
                  <td className={ui.td}>{w.node_count}</td>
                  <td className={ui.td}>{w.edge_count}</td>
                  <td className={ui.td}>{w.trigger_count ?? '—'}</td>
                  <td className={ui.td}>{formatDate(w.created_at)}</td>
                  <td className={`${ui.td} whitespace-nowrap text-right`}>
                    <button type="button" className={ui.button} onClick={() => void doExport(w.slug)}>
                      Export<span className="sr-only"> {w.name}</span>
                    </button>{' '}
                    <button type="button" className={ui.button} onClick={() => setToDelete([w.slug])}>
                      Delete<span className="sr-only"> {w.name}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager total={list.data?.total ?? 0} offset={offset} pageSize={PAGE} onChange={setOffset} />
        </div>
      ) : null}

      <CreateWorkflowDialog open={dialog === 'create'} onClose={() => setDialog(null)} />
      <ImportWorkflowDialog open={dialog === 'import'} onClose={() => setDialog(null)} />
      <ConfirmDialog
        title="Delete workflows"
        message={`Delete ${toDelete?.length ?? 0} workflow(s) with their nodes, edges and executions?`}
        open={toDelete !== null}
        busy={remove.isPending}
        onConfirm={() => void confirmDelete()}
        onCancel={() => setToDelete(null)}
      />
    </div>
  );
}
