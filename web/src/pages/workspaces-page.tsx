/**
 * Workspaces (sandbox directories): list, create, delete; the selected one's detail edits network
 * access and environment variables (raw values are write-only: the server answers them masked).
 */
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useMe } from '../api/account';
import type { EnvVar, Workspace } from '../api/types';
import { useWorkspaces, workspaceApi, workspaceKeys } from '../api/workspaces';
import { ConfirmDialog } from '../components/confirm-dialog';
import { ErrorState } from '../components/error-state';
import { Field } from '../components/field';
import { formatDate } from '../components/format-date';
import { Loading } from '../components/loading';
import { ui } from '../components/ui';

/** Network access is host access: only administrators may turn it on (anyone may turn it off). */
function useMayAllowNetwork(): boolean {
  return useMe().data?.role === 'admin';
}

function WorkspaceDetail({ workspace, onSaved }: { workspace: Workspace; onSaved: () => Promise<void> }) {
  const mayAllowNetwork = useMayAllowNetwork();
  const [network, setNetwork] = useState(workspace.allow_network);
  const [vars, setVars] = useState<EnvVar[]>(workspace.env_vars ?? []);
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);

  const save = async (next: { allow_network?: boolean; env_vars?: EnvVar[] }) => {
    setError(null);
    setSaved(false);
    try {
      // The server answers `credential_field: null` for unset fields; it accepts only strings back.
      const envVars = next.env_vars?.map((v) =>
        v.source === 'credential' && !v.credential_field
          ? { key: v.key, source: v.source, credential_id: v.credential_id }
          : v,
      );
      const answer = await workspaceApi.update(workspace.id, { ...next, env_vars: envVars });
      setNetwork(answer.allow_network);
      setVars(answer.env_vars ?? []);
      setSaved(true);
      await onSaved();
    } catch (err) {
      setError(err);
    }
  };
  const addVar = (event: FormEvent) => {
    event.preventDefault();
    void save({ env_vars: [...vars, { key: key.trim(), source: 'raw', value }] }).then(() => {
      setKey('');
      setValue('');
    });
  };

  return (
    <section aria-label={`Workspace ${workspace.name}`} className={`${ui.card} space-y-3`}>
      <h2 className="font-semibold">{workspace.name}</h2>
      <p className="font-mono text-xs text-slate-500">{workspace.path}</p>
      <label className="flex items-center gap-2 text-sm">
        <input
          type="checkbox"
          checked={network}
          disabled={!network && !mayAllowNetwork}
          onChange={(e) => void save({ allow_network: e.target.checked })}
        />
        Allow network access
      </label>
      <p className="text-xs text-slate-500">
        Commands then share this host's network, its local services included, so only administrators can turn
        it on.
      </p>
      <h3 className="text-sm font-medium">Environment variables</h3>
      {vars.length === 0 ? <p className={ui.muted}>None.</p> : null}
      <ul className="space-y-1 text-sm">
        {vars.map((v, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a key may repeat until saved; order is stable
          <li key={`${v.key}-${i}`} className="flex items-center gap-2">
            <code className="font-mono">{v.key}</code>
            <span className="text-xs text-slate-500">
              {v.source === 'raw'
                ? v.value
                  ? '•••••• (value hidden)'
                  : '(empty)'
                : `credential #${v.credential_id}`}
            </span>
            <button
              type="button"
              className="text-xs underline"
              onClick={() => void save({ env_vars: vars.filter((_, j) => j !== i) })}
            >
              Remove<span className="sr-only"> {v.key}</span>
            </button>
          </li>
        ))}
      </ul>
      <form onSubmit={addVar} className="flex items-end gap-2">
        <Field
          label="Variable name"
          value={key}
          required
          pattern="[A-Za-z_][A-Za-z0-9_]*"
          onChange={(e) => setKey(e.target.value)}
        />
        <Field
          label="Value"
          type="password"
          autoComplete="off"
          value={value}
          onChange={(e) => setValue(e.target.value)}
        />
        <button type="submit" className={ui.button}>
          Add variable
        </button>
      </form>
      {saved ? (
        <p role="status" className="text-xs">
          Saved.
        </p>
      ) : null}
      <ErrorState error={error} title="Could not save the workspace" />
    </section>
  );
}

export function WorkspacesPage() {
  const list = useWorkspaces();
  const qc = useQueryClient();
  const [name, setName] = useState('');
  const [network, setNetwork] = useState(false);
  const mayAllowNetwork = useMayAllowNetwork();
  const [selected, setSelected] = useState<number | null>(null);
  const [doomed, setDoomed] = useState<Workspace | null>(null);
  const [error, setError] = useState<unknown>(null);

  const refresh = () => qc.invalidateQueries({ queryKey: workspaceKeys.all });
  const create = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      const ws = await workspaceApi.create({ name: name.trim(), allow_network: network });
      setName('');
      await refresh();
      setSelected(ws.id);
    } catch (err) {
      setError(err);
    }
  };
  const remove = async () => {
    const target = doomed;
    setDoomed(null);
    if (!target) return;
    setError(null);
    try {
      await workspaceApi.remove(target.id);
      if (selected === target.id) setSelected(null);
      await refresh();
    } catch (err) {
      setError(err);
    }
  };
  const current = list.data?.items.find((w) => w.id === selected);

  return (
    <div className="space-y-4 p-6">
      <h1 className={ui.h1}>Workspaces</h1>
      <form
        onSubmit={create}
        aria-label="New workspace"
        className={`${ui.card} flex max-w-2xl items-end gap-3`}
      >
        <div className="flex-1">
          <Field
            label="Workspace name"
            value={name}
            required
            pattern="[A-Za-z0-9][A-Za-z0-9._\-]*"
            onChange={(e) => setName(e.target.value)}
          />
        </div>
        <label className="flex items-center gap-1.5 pb-2 text-sm">
          <input
            type="checkbox"
            checked={network}
            disabled={!mayAllowNetwork}
            onChange={(e) => setNetwork(e.target.checked)}
          />
          Network
        </label>
        <button type="submit" className={ui.primary}>
          Create workspace
        </button>
      </form>
      <ErrorState error={error} title="Workspace action failed" />
      <ErrorState error={list.error} title="Could not load workspaces" />
      {list.isPending ? <Loading /> : null}
      {list.data && list.data.items.length === 0 ? <p className={ui.muted}>No workspaces yet.</p> : null}
      {list.data && list.data.items.length > 0 ? (
        <div className="grid grid-cols-2 gap-4">
          <div className={ui.card}>
            <table className={ui.table}>
              <thead>
                <tr>
                  <th className={ui.th}>Name</th>
                  <th className={ui.th}>Network</th>
                  <th className={ui.th}>Created</th>
                  <th className={ui.th}>
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.data.items.map((w) => (
                  <tr key={w.id} className={w.id === selected ? 'bg-sky-50 dark:bg-sky-950' : ''}>
                    <td className={ui.td}>
                      <button
                        type="button"
                        className="text-sky-700 underline dark:text-sky-400"
                        onClick={() => setSelected(w.id)}
                      >
                        {w.name}
                      </button>
                    </td>
                    <td className={ui.td}>{w.allow_network ? 'on' : 'off'}</td>
                    <td className={ui.td}>{formatDate(w.created_at)}</td>
                    <td className={ui.td}>
                      <button type="button" className={ui.button} onClick={() => setDoomed(w)}>
                        Delete<span className="sr-only"> {w.name}</span>
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {current ? <WorkspaceDetail key={current.id} workspace={current} onSaved={refresh} /> : null}
        </div>
      ) : null}
      <ConfirmDialog
        title="Delete workspace"
        message={`Delete the workspace "${doomed?.name ?? ''}" and its files?`}
        open={doomed !== null}
        onConfirm={() => void remove()}
        onCancel={() => setDoomed(null)}
      />
    </div>
  );
}
