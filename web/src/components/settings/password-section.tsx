/** Password change (`PATCH /users/me {password}`). */
import { type FormEvent, useState } from 'react';
import { accountApi } from '../../api/account';
import { ErrorState } from '../error-state';
import { Field } from '../field';
import { ui } from '../ui';
import { Section } from './section';

export function PasswordSection() {
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    setError(null);
    if (password !== confirm) {
      setError(new Error('The passwords do not match.'));
      return;
    }
    try {
      await accountApi.updateMe({ password });
      setPassword('');
      setConfirm('');
      setSaved(true);
    } catch (err) {
      setError(err);
    }
  };

  return (
    <Section title="Password">
      <form onSubmit={submit} className="grid max-w-xl grid-cols-2 gap-3">
        <Field
          label="New password"
          type="password"
          value={password}
          minLength={8}
          required
          autoComplete="new-password"
          onChange={(e) => setPassword(e.target.value)}
        />
        <Field
          label="Confirm new password"
          type="password"
          value={confirm}
          required
          autoComplete="new-password"
          onChange={(e) => setConfirm(e.target.value)}
        />
        <div className="col-span-2 flex items-center gap-3">
          <button type="submit" className={ui.primary}>
            Change password
          </button>
          {saved ? <span role="status">Password changed.</span> : null}
        </div>
        <div className="col-span-2">
          <ErrorState error={error} title="Could not change the password" />
        </div>
      </form>
    </Section>
  );
}
