/** System prompt (AI nodes) and model settings (ai_model nodes). */
import { useId } from 'react';
import { useCredentialModels, useCredentials } from '../api/credentials';
import type { NodeConfig } from '../api/types';
import { ui } from '../components/ui';

interface ModelFieldsProps {
  config: NodeConfig;
  showPrompt: boolean;
  showModel: boolean;
  onChange: (patch: Partial<NodeConfig>) => void;
}

const num = (v: string) => (v === '' ? null : Number(v));

export function ModelFields({ config, showPrompt, showModel, onChange }: ModelFieldsProps) {
  const id = useId();
  const credentials = useCredentials();
  const credentialId = config.llm_credential_id ?? null;
  const models = useCredentialModels(showModel ? credentialId : null);
  const llmCredentials = (credentials.data ?? []).filter((c) => c.credential_type === 'llm');
  return (
    <>
      {showPrompt ? (
        <div className="space-y-1">
          <label htmlFor={`${id}-prompt`} className={ui.label}>
            System prompt
          </label>
          <textarea
            id={`${id}-prompt`}
            rows={6}
            className={ui.input}
            value={config.system_prompt ?? ''}
            onChange={(e) => onChange({ system_prompt: e.target.value })}
          />
        </div>
      ) : null}
      {showModel ? (
        <div className="grid grid-cols-2 gap-2">
          <div className="col-span-2 space-y-1">
            <label htmlFor={`${id}-cred`} className={ui.label}>
              LLM credential
            </label>
            <select
              id={`${id}-cred`}
              className={ui.input}
              value={credentialId ?? ''}
              onChange={(e) => onChange({ llm_credential_id: num(e.target.value) })}
            >
              <option value="">— choose a credential —</option>
              {llmCredentials.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name} ({String(c.detail?.provider_type ?? 'llm')})
                </option>
              ))}
            </select>
            {credentials.error ? (
              <p role="alert" className="text-xs text-red-600">
                Could not load credentials: {(credentials.error as Error).message}
              </p>
            ) : null}
            {credentials.data && llmCredentials.length === 0 ? (
              <p className="text-xs text-slate-500">
                No LLM credential yet: add one on the Credentials page.
              </p>
            ) : null}
          </div>
          <div className="col-span-2 space-y-1">
            <label htmlFor={`${id}-model`} className={ui.label}>
              Model name
            </label>
            <input
              id={`${id}-model`}
              className={ui.input}
              list={`${id}-models`}
              value={config.model_name ?? ''}
              onChange={(e) => onChange({ model_name: e.target.value })}
            />
            <datalist id={`${id}-models`} data-testid="model-options">
              {(models.data ?? []).map((m) => (
                <option key={m.id} value={m.id}>
                  {m.name}
                </option>
              ))}
            </datalist>
            {models.isFetching ? <p className="text-xs text-slate-500">Loading models…</p> : null}
            {models.error ? (
              <p role="alert" className="text-xs text-red-600">
                Could not list models: {(models.error as Error).message}
              </p>
            ) : null}
            {models.data ? (
              <p className="text-xs text-slate-500">{models.data.length} models available.</p>
            ) : null}
          </div>
          <div className="space-y-1">
            <label htmlFor={`${id}-temp`} className={ui.label}>
              Temperature
            </label>
            <input
              id={`${id}-temp`}
              type="number"
              step="0.1"
              className={ui.input}
              value={config.temperature ?? ''}
              onChange={(e) => onChange({ temperature: num(e.target.value) })}
            />
          </div>
          <div className="space-y-1">
            <label htmlFor={`${id}-max`} className={ui.label}>
              Max tokens
            </label>
            <input
              id={`${id}-max`}
              type="number"
              className={ui.input}
              value={config.max_tokens ?? ''}
              onChange={(e) => onChange({ max_tokens: num(e.target.value) })}
            />
          </div>
        </div>
      ) : null}
    </>
  );
}
