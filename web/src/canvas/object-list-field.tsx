/**
 * Edits an array of flat objects (switch rules, categorizer categories…): one row per item with a
 * control per property, add and remove. A missing `id` gets a short random one.
 */
import type { JsonSchema } from '../api/types';
import { ui } from '../components/ui';
import { fieldKind, titleOf, unwrap } from './schema-fields';

interface ObjectListFieldProps {
  title: string;
  item: Record<string, JsonSchema>;
  value: unknown;
  onChange: (value: unknown) => void;
}

function newItem(item: Record<string, JsonSchema>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(item)) {
    const schema = unwrap(raw);
    if (schema.default !== undefined) out[key] = schema.default;
    else if (key === 'id') out[key] = `r_${Math.random().toString(36).slice(2, 8)}`;
    else if (Array.isArray(schema.enum)) out[key] = schema.enum[0];
  }
  return out;
}

export function ObjectListField({ title, item, value, onChange }: ObjectListFieldProps) {
  const rows = Array.isArray(value) ? (value as Record<string, unknown>[]) : [];
  const set = (index: number, key: string, v: unknown) =>
    onChange(rows.map((row, i) => (i === index ? { ...row, [key]: v } : row)));

  return (
    <fieldset className="space-y-2 rounded-md border border-slate-200 p-2 dark:border-slate-700">
      <legend className="px-1 text-sm font-medium">{title}</legend>
      {rows.map((row, index) => (
        <div key={String(row.id ?? index)} className="space-y-1 rounded bg-slate-50 p-2 dark:bg-slate-800">
          {Object.entries(item).map(([key, schema]) => {
            const kind = fieldKind(key, schema);
            const label = `${titleOf(key, schema)} (${title} ${index + 1})`;
            if (kind.kind === 'boolean') {
              return (
                <label key={key} className="flex items-center gap-2 text-xs">
                  <input
                    type="checkbox"
                    checked={Boolean(row[key])}
                    onChange={(e) => set(index, key, e.target.checked)}
                  />
                  {titleOf(key, schema)}
                </label>
              );
            }
            if (kind.kind === 'enum') {
              return (
                <select
                  key={key}
                  aria-label={label}
                  className={`${ui.input} text-xs`}
                  value={String(row[key] ?? '')}
                  onChange={(e) => set(index, key, e.target.value)}
                >
                  {kind.options.map((o) => (
                    <option key={o} value={o}>
                      {key}: {o}
                    </option>
                  ))}
                </select>
              );
            }
            return (
              <input
                key={key}
                aria-label={label}
                placeholder={titleOf(key, schema)}
                type={kind.kind === 'number' ? 'number' : 'text'}
                className={`${ui.input} text-xs`}
                value={row[key] == null ? '' : String(row[key])}
                onChange={(e) =>
                  set(
                    index,
                    key,
                    kind.kind === 'number'
                      ? e.target.value === ''
                        ? undefined
                        : Number(e.target.value)
                      : e.target.value,
                  )
                }
              />
            );
          })}
          <button
            type="button"
            className={`${ui.button} text-xs`}
            onClick={() => onChange(rows.filter((_, i) => i !== index))}
          >
            Remove<span className="sr-only"> item {index + 1}</span>
          </button>
        </div>
      ))}
      <button
        type="button"
        className={`${ui.button} text-xs`}
        onClick={() => onChange([...rows, newItem(item)])}
      >
        Add {title.toLowerCase()}
      </button>
    </fieldset>
  );
}
