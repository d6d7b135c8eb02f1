/**
 * Credentials: create LLM and tool credentials (the secret is typed once and only shown masked
 * afterwards), test a credential against its provider, delete it.
 */
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { credentialApi, credentialKeys, useCredentials } from '../api/credentials';
import type { Credential, CredentialType } from '../api/types';
import { ConfirmDialog } from '../components/confirm-dialog';
import { ErrorState } from '../components/error-state';
import { Field } from '../components/field';
import { formatDate } from '../components/format-date';
import { Loading } from '../components/loading';
import { ui } from '../components/ui';

const PROVIDERS = ['openai', 'anthropic', 'glm', 'openai_compatible'];
const TOOLS = ['searxng', 'brave', 'tavily'];

type TestResult = { ok: boolean; error: string } | { failed: string };

function summary(c: Credential): string {
  const d = c.detail ?? {};
  if (c.credential_type === 'llm') return [d.provider_type, d.base_url].filter(Boolean).join(' · ');
  if (c.credential_type === 'tool') return String(d.tool_type ?? '');
  return '';
}

function CreateCredentialForm({ onCreated }: { onCreated: () => Promise<void> }) {
  const typeId = useId();
  const kindId = useId();
  const [type, setType] = useState<CredentialType>('llm');
  const [name, setName] = useState('');
  const [kind, setKind] = useState('openai');
  const [apiKey, setApiKey] = useState('');
  const [baseUrl, setBaseUrl] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const detail =
        type === 'llm'
          ? { provider_type: kind, api_key: apiKey, base_url: baseUrl.trim() || null }
          : { tool_type: kind, api_key: apiKey, config: baseUrl.trim() ? { base_url: baseUrl.trim() } : {} };
      await credentialApi.create({ name: name.trim(), credential_type: type, detail });
      setName('');
      setApiKey('');
      setBaseUrl('');
      await onCreated();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} aria-label="New credential" className={`${ui.card} max-w-3xl space-y-3`}>
      <h2 className="font-semibold">New credential</h2>
      <div className="grid grid-cols-3 gap-3">
        <Field
          label="Credential name"
          value={name}
          required
          maxLength={255}
          onChange={(e) => setName(e.target.value)}
        />
        <div className="space-y-1">
          <label htmlFor={typeId} className={ui.label}>
            Type
          </label>
          <select
            id={typeId}
            className={ui.input}
            value={type}
            onChange={(e) => {
              const next = e.target.value as CredentialType;
              setType(next);
              setKind(next === 'llm' ? 'openai' : 'searxng');
            }}
          >
            <option value="llm">LLM provider</option>
            <option value="tool">Tool (web search)</option>
          </select>
        </div>
        <div className="space-y-1">
          <label htmlFor={kindId} className={ui.label}>
            {type === 'llm' ? 'Provider' : 'Tool'}
          </label>
          <select id={kindId} className={ui.input} value={kind} onChange={(e) => setKind(e.target.value)}>
            {(type === 'llm' ? PROVIDERS : TOOLS).map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </div>
        <Field
          label="API key"
          type="password"
          autoComplete="off"
          value={apiKey}
          onChange={(e) => setApiKey(e.target.value)}
        />
        <div className="col-span-2">
          <Field
            label="Base URL"
            placeholder={type === 'llm' ? 'Provider default' : 'https://search.example.org'}
            value={baseUrl}
            onChange={(e) => setBaseUrl(e.target.value)}
          />
        </div>
      </div>
      <ErrorState error={error} title="Could not create the credential" />
      <button type="submit" className={ui.primary} disabled={busy}>
        Create credential
      </button>
    </form>
  );
}

export function CredentialsPage() {
  const list = useCredentials();
  const qc = useQueryClient();
  const [results, setResults] = useState<Record<number, TestResult | 'testing'>>({});
  const [doomed, setDoomed] = useState<Credential | null>(null);
  const [error, setError] = useState<unknown>(null);

  const refresh = () => qc.invalidateQueries({ queryKey: credentialKeys.all });
  const test = async (id: number) => {
    setResults((r) => ({ ...r, [id]: 'testing' }));
    try {
      const answer = await credentialApi.test(id);
      setResults((r) => ({ ...r, [id]: answer }));
    } catch (err) {
      setResults((r) => ({ ...r, [id]: { failed: (err as Error).message } }));
    }
  };
  const remove = async () => {
    if (!doomed) return;
    setError(null);
    try {
      await credentialApi.remove(doomed.id);
      setDoomed(null);
      await refresh();
    } catch (err) {
      setDoomed(null);
      setError(err);
    }
  };

  return (
    <div className="space-y-4 p-6">
      <h1 className={ui.h1}>Credentials</h1>
      <p className={ui.muted}>Secrets are stored encrypted and never shown again after you save them.</p>
      <CreateCredentialForm onCreated={refresh} />
      <ErrorState error={error} title="Delete failed" />
      <ErrorState error={list.error} title="Could not load credentials" />
      {list.isPending ? <Loading /> : null}
      {list.data && list.data.length === 0 ? <p className={ui.muted}>No credentials yet.</p> : null}
      {list.data && list.data.length > 0 ? (
        <div className={ui.card}>
          <table className={ui.table}>
            <thead>
              <tr>
                <th className={ui.th}>Name</th>
                <th className={ui.th}>Type</th>
                <th className={ui.th}>Details</th>
                <th className={ui.th}>Created</th>
                <th className={ui.th}>Test</th>
                <th className={ui.th}>
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((c) => {
                const r = results[c.id];
                return (
                  <tr key={c.id} data-testid={`credential-${c.name}`}>
                    <td className={ui.td}>{c.name}</td>
                    <td className={ui.td}>{c.credential_type}</td>
                    <td className={`${ui.td} text-xs`}>{summary(c)}</td>
                    <td className={ui.td}>{formatDate(c.created_at)}</td>
                    <td className={ui.td}>
                      {c.credential_type === 'llm' ? (
                        <button
                          type="button"
                          className={ui.button}
                          disabled={r === 'testing'}
                          onClick={() => void test(c.id)}
                        >
                          Test<span className="sr-only"> {c.name}</span>
                        </button>
                      ) : null}{' '}
                      {r && r !== 'testing' ? (
                        <span
                          role="status"
                          data-testid="credential-test-result"
                          className={
                            'ok' in r && r.ok
                              ? 'text-emerald-700 dark:text-emerald-400'
                              : 'text-red-700 dark:text-red-400'
                          }
                        >
                          {'ok' in r ? (r.ok ? 'OK' : `Failed: ${r.error}`) : `Failed: ${r.failed}`}
                        </span>
                      ) : null}
                      {r === 'testing' ? <span role="status">Testing…</span> : null}
                    </td>
                    <td className={ui.td}>
                      <button type="button" className={ui.button} onClick={() => setDoomed(c)}>
                        Delete<span className="sr-only"> {c.name}</span>
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      <ConfirmDialog
        title="Delete credential"
        message={`Delete the credential "${doomed?.name ?? ''}"? Nodes using it stop working.`}
        open={doomed !== null}
        onConfirm={() => void remove()}
        onCancel={() => setDoomed(null)}
      />
    </div>
  );
}
