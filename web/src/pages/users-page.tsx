/** Admin: list users, create one, delete one. */
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { accountApi, accountKeys, useMe, useUsers } from '../api/account';
import { ErrorState } from '../components/error-state';
import { Field } from '../components/field';
import { formatDate } from '../components/format-date';
import { Loading } from '../components/loading';
import { ui } from '../components/ui';

export function UsersPage() {
  const me = useMe();
  const users = useUsers();
  const qc = useQueryClient();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<'admin' | 'normal'>('normal');
  const [error, setError] = useState<unknown>(null);
  const roleId = useId();

  const act = async (action: () => Promise<unknown>) => {
    setError(null);
    try {
      await action();
      await qc.invalidateQueries({ queryKey: accountKeys.users });
    } catch (err) {
      setError(err);
    }
  };
  const create = (event: FormEvent) => {
    event.preventDefault();
    void act(async () => {
      await accountApi.createUser({ username, password, role });
      setUsername('');
      setPassword('');
    });
  };

  return (
    <div className="space-y-4 p-6">
      <h1 className={ui.h1}>Users</h1>
      {me.data && me.data.role !== 'admin' ? <p role="alert">Only administrators can manage users.</p> : null}
      <form onSubmit={create} className={`${ui.card} grid max-w-3xl grid-cols-4 items-end gap-2`}>
        <Field label="Username" value={username} required onChange={(e) => setUsername(e.target.value)} />
        <Field
          label="Password"
          type="password"
          value={password}
          minLength={8}
          required
          autoComplete="new-password"
          onChange={(e) => setPassword(e.target.value)}
        />
        <div className="space-y-1">
          <label htmlFor={roleId} className={ui.label}>
            Role
          </label>
          <select
            id={roleId}
            className={ui.input}
            value={role}
            onChange={(e) => setRole(e.target.value as 'admin' | 'normal')}
          >
            <option value="normal">normal</option>
            <option value="admin">admin</option>
          </select>
        </div>
        <button type="submit" className={ui.primary}>
          Add user
        </button>
      </form>
      <ErrorState error={error} title="User action failed" />
      <ErrorState error={users.error} title="Could not load users" />
      {users.isPending ? <Loading /> : null}
      {users.data ? (
        <div className={ui.card}>
          <table className={ui.table}>
            <thead>
              <tr>
                <th className={ui.th}>Username</th>
                <th className={ui.th}>Role</th>
                <th className={ui.th}>MFA</th>
                <th className={ui.th}>Active keys</th>
                <th className={ui.th}>Created</th>
                <th className={ui.th}>
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {users.data.users.map((u) => (
                <tr key={u.id}>
                  <td className={ui.td}>{u.username}</td>
                  <td className={ui.td}>{u.role}</td>
                  <td className={ui.td}>{u.mfa_enabled ? 'on' : 'off'}</td>
                  <td className={ui.td}>{u.key_count}</td>
                  <td className={ui.td}>{formatDate(u.created_at)}</td>
                  <td className={ui.td}>
                    {u.id !== me.data?.id ? (
                      <button
                        type="button"
                        className={ui.button}
                        onClick={() => void act(() => accountApi.deleteUser(u.id))}
                      >
                        Delete<span className="sr-only"> {u.username}</span>
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </div>
  );
}
