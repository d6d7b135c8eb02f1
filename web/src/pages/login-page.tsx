/** Username/password sign-in, then a 6-digit code when the account has MFA. Forwards to `/setup` on a fresh install. */
import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { authApi } from '../api/auth';
import { ApiError } from '../api/client';
import { saveSession } from '../auth/session';
import { AuthCard } from '../components/auth-card';
import { ErrorState } from '../components/error-state';
import { Field } from '../components/field';
import { ui } from '../components/ui';

export function LoginPage() {
  const navigate = useNavigate();
  const location = useLocation();
  const status = useQuery({ queryKey: ['setup-status'], queryFn: authApi.setupStatus, retry: false });
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [mfa, setMfa] = useState<{ token?: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (status.data?.needs_setup) return <Navigate to="/setup" replace />;

  const done = () => {
    saveSession(username);
    const from = (location.state as { from?: string } | null)?.from;
    navigate(from && from !== '/login' ? from : '/', { replace: true });
  };

  const submitPassword = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const answer = await authApi.login(username, password);
      if (answer.requires_mfa) setMfa({ token: answer.mfa_token });
      else done();
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 401
          ? 'Invalid username or password.'
          : String((err as Error).message),
      );
    } finally {
      setBusy(false);
    }
  };

  const submitCode = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await authApi.loginVerify(username, code, mfa?.token);
      done();
    } catch (err) {
      setError(
        err instanceof ApiError && err.status < 500
          ? 'Invalid code. Try the current one.'
          : String((err as Error).message),
      );
    } finally {
      setBusy(false);
    }
  };

  if (mfa) {
    return (
      <AuthCard title="Two-factor code">
        <form onSubmit={submitCode} className="space-y-3">
          <Field
            label="6-digit code from your authenticator app"
            value={code}
            onChange={(e) => setCode(e.target.value.replace(/\D/g, '').slice(0, 6))}
            inputMode="numeric"
            autoComplete="one-time-code"
            placeholder="000000"
            pattern="\d{6}"
            required
            autoFocus
          />
          <ErrorState error={error} title="Sign-in failed" />
          <button
            type="submit"
            className={`${ui.primary} w-full justify-center`}
            disabled={busy || code.length !== 6}
          >
            Verify
          </button>
          <button type="button" className={`${ui.button} w-full justify-center`} onClick={() => setMfa(null)}>
            Back
          </button>
        </form>
      </AuthCard>
    );
  }

  return (
    <AuthCard title="Sign in">
      <form onSubmit={submitPassword} className="space-y-3">
        <Field
          label="Username"
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          required
          autoComplete="username"
          autoFocus
        />
        <Field
          label="Password"
          type="password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          required
          autoComplete="current-password"
        />
        <ErrorState error={error} title="Sign-in failed" />
        <button type="submit" className={`${ui.primary} w-full justify-center`} disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </AuthCard>
  );
}
