/** Name fields of the signed-in user (`PATCH /users/me`). */
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { accountApi, accountKeys, useMe } from '../../api/account';
import { ErrorState } from '../error-state';
import { Field } from '../field';
import { Loading } from '../loading';
import { ui } from '../ui';
import { Section } from './section';

export function ProfileSection() {
  const me = useMe();
  const qc = useQueryClient();
  const [first, setFirst] = useState('');
  const [last, setLast] = useState('');
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    if (me.data) {
      setFirst(me.data.first_name);
      setLast(me.data.last_name);
    }
  }, [me.data]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setSaved(false);
    try {
      qc.setQueryData(accountKeys.me, await accountApi.updateMe({ first_name: first, last_name: last }));
      setSaved(true);
    } catch (err) {
      setError(err);
    }
  };

  return (
    <Section title="Profile">
      {me.isPending ? <Loading /> : null}
      <ErrorState error={me.error} title="Could not load your profile" />
      {me.data ? (
        <form onSubmit={submit} className="grid max-w-xl grid-cols-2 gap-3">
          <p className="col-span-2 text-sm">
            Username <strong>{me.data.username}</strong> · role <strong>{me.data.role}</strong>
          </p>
          <Field label="First name" value={first} onChange={(e) => setFirst(e.target.value)} />
          <Field label="Last name" value={last} onChange={(e) => setLast(e.target.value)} />
          <div className="col-span-2 flex items-center gap-3">
            <button type="submit" className={ui.primary}>
              Save profile
            </button>
            {saved ? <span role="status">Saved.</span> : null}
          </div>
          <div className="col-span-2">
            <ErrorState error={error} title="Could not save" />
          </div>
        </form>
      ) : null}
    </Section>
  );
}
