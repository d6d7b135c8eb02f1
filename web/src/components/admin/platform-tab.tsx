/**
 * Platform settings (admin): the fields of conf.json. Log level and the zombie threshold apply at
 * once; the others after a restart (the answer says which).
 */
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { adminApi, adminKeys, type PlatformSettings } from '../../api/admin';
import { ErrorState } from '../error-state';
import { Field } from '../field';
import { ui } from '../ui';

const LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'];
const SANDBOX = ['auto', 'bwrap', 'container'];

export function PlatformTab({ data }: { data: PlatformSettings }) {
  const qc = useQueryClient();
  const levelId = useId();
  const sandboxId = useId();
  const c = data.config;
  const [logLevel, setLogLevel] = useState(String(c.log_level ?? 'INFO'));
  const [sandbox, setSandbox] = useState(String(c.sandbox_mode ?? 'auto'));
  const [baseUrl, setBaseUrl] = useState(String(c.platform_base_url ?? ''));
  const [zombie, setZombie] = useState(String(c.zombie_execution_threshold_seconds ?? ''));
  const [cors, setCors] = useState(Boolean(c.cors_allow_all_origins));
  const [error, setError] = useState<unknown>(null);
  const [message, setMessage] = useState('');

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setMessage('');
    try {
      const answer = await adminApi.saveSettings({
        log_level: logLevel,
        sandbox_mode: sandbox,
        platform_base_url: baseUrl.trim(),
        cors_allow_all_origins: cors,
        zombie_execution_threshold_seconds: zombie === '' ? null : Number(zombie),
      });
      const restart = answer.restart_required.length
        ? ` Restart needed for: ${answer.restart_required.join(', ')}.`
        : '';
      setMessage(`Saved.${restart}`);
      await qc.invalidateQueries({ queryKey: adminKeys.settings });
    } catch (err) {
      setError(err);
    }
  };

  return (
    <form
      onSubmit={submit}
      className={`${ui.card} grid max-w-2xl grid-cols-2 gap-3`}
      aria-label="Platform settings"
    >
      <p className="col-span-2 text-sm">
        Data directory <code className="font-mono">{String(c.pipelit_dir ?? '')}</code> · database{' '}
        <code className="font-mono">{String(c.database_url ?? '')}</code>
      </p>
      <div className="space-y-1">
        <label htmlFor={levelId} className={ui.label}>
          Log level
        </label>
        <select
          id={levelId}
          className={ui.input}
          value={logLevel}
          onChange={(e) => setLogLevel(e.target.value)}
        >
          {LEVELS.map((l) => (
            <option key={l}>{l}</option>
          ))}
        </select>
      </div>
      <div className="space-y-1">
        <label htmlFor={sandboxId} className={ui.label}>
          Sandbox mode
        </label>
        <select
          id={sandboxId}
          className={ui.input}
          value={sandbox}
          onChange={(e) => setSandbox(e.target.value)}
        >
          {SANDBOX.map((l) => (
            <option key={l}>{l}</option>
          ))}
        </select>
      </div>
      <Field label="Platform base URL" value={baseUrl} onChange={(e) => setBaseUrl(e.target.value)} />
      <Field
        label="Zombie execution threshold (seconds)"
        type="number"
        min={0}
        value={zombie}
        onChange={(e) => setZombie(e.target.value)}
      />
      <label className="col-span-2 flex items-center gap-2 text-sm">
        <input type="checkbox" checked={cors} onChange={(e) => setCors(e.target.checked)} />
        Allow all CORS origins
      </label>
      <div className="col-span-2 flex items-center gap-3">
        <button type="submit" className={ui.primary}>
          Save platform settings
        </button>
        {message ? (
          <span role="status" className="text-sm">
            {message}
          </span>
        ) : null}
      </div>
      <div className="col-span-2">
        <ErrorState error={error} title="Could not save" />
      </div>
    </form>
  );
}
