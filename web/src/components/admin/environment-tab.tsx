/** The environment report (admin): what the sandbox and tools found on this host; recheck on demand. */
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { adminApi, adminKeys, type PlatformSettings } from '../../api/admin';
import { ErrorState } from '../error-state';
import { JsonView } from '../json-view';
import { ui } from '../ui';

export function EnvironmentTab({ data }: { data: PlatformSettings }) {
  const qc = useQueryClient();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const recheck = async () => {
    setError(null);
    setBusy(true);
    try {
      const answer = await adminApi.recheckEnvironment();
      qc.setQueryData<PlatformSettings>(adminKeys.settings, (old) =>
        old ? { ...old, environment: answer.environment } : old,
      );
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const scalars = Object.entries(data.environment).filter(([, v]) => v === null || typeof v !== 'object');
  const nested = Object.entries(data.environment).filter(([, v]) => v !== null && typeof v === 'object');
  return (
    <section aria-label="Environment" className={`${ui.card} space-y-3`}>
      <div className="flex items-center gap-3">
        <h2 className="font-semibold">Environment</h2>
        <button type="button" className={ui.button} disabled={busy} onClick={() => void recheck()}>
          {busy ? 'Checking…' : 'Recheck environment'}
        </button>
      </div>
      <ErrorState error={error} title="Recheck failed" />
      <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
        {scalars.map(([k, v]) => (
          <div key={k} className="contents">
            <dt className="font-medium">{k}</dt>
            <dd className="font-mono text-xs">{String(v)}</dd>
          </div>
        ))}
      </dl>
      {nested.map(([k, v]) => (
        <div key={k}>
          <h3 className="text-sm font-medium">{k}</h3>
          <JsonView label={k} value={v} />
        </div>
      ))}
      <h3 className="text-sm font-medium">Running process</h3>
      <JsonView label="Effective settings" value={data.effective} />
    </section>
  );
}
