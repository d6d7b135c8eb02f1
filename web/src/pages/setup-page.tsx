/** First run: create the admin account (only while `/auth/setup-status/` says `needs_setup`). */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Navigate, useNavigate } from 'react-router';
import { authApi } from '../api/auth';
import { saveSession } from '../auth/session';
import { AuthCard } from '../components/auth-card';
import { ErrorState } from '../components/error-state';
import { Field } from '../components/field';
import { Loading } from '../components/loading';
import { ui } from '../components/ui';

export function SetupPage() {
  const navigate = useNavigate();
  const qc = useQueryClient();
  const status = useQuery({ queryKey: ['setup-status'], queryFn: authApi.setupStatus });
  const [username, setUsername] = useState('admin');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  // Once created, the cached status says "set up": do not bounce to /login on the way to the dashboard.
  const [created, setCreated] = useState(false);

  if (status.isPending) return <Loading />;
  if (status.data && !status.data.needs_setup && !created) return <Navigate to="/login" replace />;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    if (password !== confirm) {
      setError(new Error('The passwords do not match.'));
      return;
    }
    setBusy(true);
    try {
      const answer = await authApi.setup(username, password);
      saveSession(answer.username);
      setCreated(true);
      qc.setQueryData(['setup-status'], { needs_setup: false });
      navigate('/', { replace: true });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthCard title="Create the admin account">
      <ErrorState error={status.error} title="Cannot read setup status" />
      <p className={ui.muted}>
        This is a new installation. Choose the first administrator's name and password.
      </p>
      <form onSubmit={submit} className="space-y-3">
        <Field
          label="Username"
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          required
          autoComplete="username"
        />
        <Field
          label="Password"
          type="password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          required
          minLength={8}
          autoComplete="new-password"
          hint="At least 8 characters."
        />
        <Field
          label="Confirm password"
          type="password"
          value={confirm}
          onChange={(e) => setConfirm(e.target.value)}
          required
          autoComplete="new-password"
        />
        <ErrorState error={error} title="Setup failed" />
        <button type="submit" className={`${ui.primary} w-full justify-center`} disabled={busy}>
          {busy ? 'Creating…' : 'Create admin'}
        </button>
      </form>
    </AuthCard>
  );
}
