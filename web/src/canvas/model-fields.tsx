/** System prompt (AI nodes) and model settings (ai_model nodes). */
import { useId } from 'react';
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
            <label htmlFor={`${id}-model`} className={ui.label}>
              Model name
            </label>
            <input
              id={`${id}-model`}
              className={ui.input}
              value={config.model_name ?? ''}
              onChange={(e) => onChange({ model_name: e.target.value })}
            />
          </div>
          <div className="space-y-1">
            <label htmlFor={`${id}-cred`} className={ui.label}>
              LLM credential id
            </label>
            <input
              id={`${id}-cred`}
              type="number"
              className={ui.input}
              value={config.llm_credential_id ?? ''}
              onChange={(e) => onChange({ llm_credential_id: num(e.target.value) })}
            />
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
