/** API keys: create (the full key is shown once), list, revoke. */
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { accountApi, accountKeys, useApiKeys } from '../../api/account';
import { ErrorState } from '../error-state';
import { Field } from '../field';
import { formatDate } from '../format-date';
import { Loading } from '../loading';
import { StatusBadge } from '../status-badge';
import { ui } from '../ui';
import { Section } from './section';

export function ApiKeysSection() {
  const keys = useApiKeys();
  const qc = useQueryClient();
  const [name, setName] = useState('');
  const [created, setCreated] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  const refresh = () => qc.invalidateQueries({ queryKey: accountKeys.keys });
  const create = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      const key = await accountApi.createKey(name);
      setCreated(key.key);
      setName('');
      await refresh();
    } catch (err) {
      setError(err);
    }
  };
  const revoke = async (id: number) => {
    setError(null);
    try {
      await accountApi.revokeKey(id);
      await refresh();
    } catch (err) {
      setError(err);
    }
  };

  return (
    <Section title="API keys">
      <form onSubmit={create} className="flex max-w-xl items-end gap-2">
        <div className="flex-1">
          <Field
            label="New key name"
            value={name}
            required
            maxLength={100}
            onChange={(e) => setName(e.target.value)}
          />
        </div>
        <button type="submit" className={ui.primary}>
          Create key
        </button>
      </form>
      {created ? (
        <div
          role="status"
          className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm dark:border-amber-700 dark:bg-amber-950"
        >
          <p>Copy this key now; it will not be shown again:</p>
          <code className="block break-all font-mono" data-testid="new-api-key">
            {created}
          </code>
        </div>
      ) : null}
      <ErrorState error={error} title="API key action failed" />
      <ErrorState error={keys.error} title="Could not load keys" />
      {keys.isPending ? <Loading /> : null}
      {keys.data ? (
        <table className={ui.table}>
          <thead>
            <tr>
              <th className={ui.th}>Name</th>
              <th className={ui.th}>Prefix</th>
              <th className={ui.th}>Created</th>
              <th className={ui.th}>Last used</th>
              <th className={ui.th}>Status</th>
              <th className={ui.th}>
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {keys.data.map((k) => (
              <tr key={k.id}>
                <td className={ui.td}>{k.name}</td>
                <td className={`${ui.td} font-mono text-xs`}>{k.prefix}…</td>
                <td className={ui.td}>{formatDate(k.created_at)}</td>
                <td className={ui.td}>{formatDate(k.last_used_at)}</td>
                <td className={ui.td}>
                  <StatusBadge status={k.is_active ? 'active' : 'inactive'} />
                </td>
                <td className={ui.td}>
                  {k.is_active ? (
                    <button type="button" className={ui.button} onClick={() => void revoke(k.id)}>
                      Revoke<span className="sr-only"> {k.name}</span>
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </Section>
  );
}
