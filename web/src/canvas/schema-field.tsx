/** One form control for one `extra_config` property, chosen from its JSON Schema. */
import { useId } from 'react';
import type { JsonSchema } from '../api/types';
import { ui } from '../components/ui';
import { JsonField } from './json-field';
import { ObjectListField } from './object-list-field';
import { fieldKind, titleOf, unwrap } from './schema-fields';

interface SchemaFieldProps {
  name: string;
  schema: JsonSchema;
  value: unknown;
  onChange: (value: unknown) => void;
  onValidity: (valid: boolean) => void;
}

export function SchemaField({ name, schema, value, onChange, onValidity }: SchemaFieldProps) {
  const id = useId();
  const kind = fieldKind(name, schema);
  const title = titleOf(name, schema);
  const help = unwrap(schema).description;
  const hint = help ? <p className="text-xs text-slate-500">{help}</p> : null;

  switch (kind.kind) {
    case 'boolean':
      return (
        <div>
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" checked={Boolean(value)} onChange={(e) => onChange(e.target.checked)} />
            {title}
          </label>
          {hint}
        </div>
      );
    case 'enum':
      return (
        <div className="space-y-1">
          <label htmlFor={id} className={ui.label}>
            {title}
          </label>
          <select
            id={id}
            className={ui.input}
            value={String(value ?? '')}
            onChange={(e) => onChange(e.target.value)}
          >
            {value == null ? <option value="">—</option> : null}
            {kind.options.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
          {hint}
        </div>
      );
    case 'number':
      return (
        <div className="space-y-1">
          <label htmlFor={id} className={ui.label}>
            {title}
          </label>
          <input
            id={id}
            type="number"
            step={kind.integer ? 1 : 'any'}
            className={ui.input}
            value={typeof value === 'number' ? value : ''}
            onChange={(e) => onChange(e.target.value === '' ? undefined : Number(e.target.value))}
          />
          {hint}
        </div>
      );
    case 'string':
      return (
        <div className="space-y-1">
          <label htmlFor={id} className={ui.label}>
            {title}
          </label>
          {kind.multiline ? (
            <textarea
              id={id}
              rows={name === 'code' ? 10 : 4}
              spellCheck={name !== 'code'}
              className={`${ui.input} ${name === 'code' ? 'font-mono text-xs' : ''}`}
              value={String(value ?? '')}
              onChange={(e) => onChange(e.target.value)}
            />
          ) : (
            <input
              id={id}
              className={ui.input}
              value={String(value ?? '')}
              onChange={(e) => onChange(e.target.value)}
            />
          )}
          {hint}
        </div>
      );
    case 'string-list':
      return (
        <div className="space-y-1">
          <label htmlFor={id} className={ui.label}>
            {title} <span className="text-xs text-slate-400">(one per line)</span>
          </label>
          <textarea
            id={id}
            rows={3}
            className={ui.input}
            value={Array.isArray(value) ? value.join('\n') : ''}
            onChange={(e) => onChange(e.target.value.split('\n').filter((line) => line.trim() !== ''))}
          />
          {hint}
        </div>
      );
    case 'object-list':
      return <ObjectListField title={title} item={kind.item} value={value} onChange={onChange} />;
    case 'json':
      return <JsonField label={title} value={value} onChange={onChange} onValidity={onValidity} />;
  }
}
