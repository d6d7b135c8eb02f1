/**
 * A JSON editor for values the form cannot show field by field. Invalid JSON is shown as an inline
 * error and reported to the parent (which then refuses to save) — it never silently becomes `{}`.
 */
import { useEffect, useId, useState } from 'react';
import { ui } from '../components/ui';

interface JsonFieldProps {
  label: string;
  value: unknown;
  onChange: (value: unknown) => void;
  onValidity: (valid: boolean) => void;
  rows?: number;
}

export function JsonField({ label, value, onChange, onValidity, rows = 6 }: JsonFieldProps) {
  const id = useId();
  const [text, setText] = useState(() => JSON.stringify(value ?? null, null, 2));
  const [error, setError] = useState<string | null>(null);

  // Pick up outside changes (another node selected, server echo) when the text is valid.
  useEffect(() => {
    if (error) return;
    const next = JSON.stringify(value ?? null, null, 2);
    setText((old) => {
      try {
        return JSON.stringify(JSON.parse(old)) === JSON.stringify(value ?? null) ? old : next;
      } catch {
        return next;
      }
    });
  }, [value, error]);

  const edit = (next: string) => {
    setText(next);
    try {
      const parsed = next.trim() === '' ? null : JSON.parse(next);
      setError(null);
      onValidity(true);
      onChange(parsed);
    } catch (err) {
      setError((err as Error).message);
      onValidity(false);
    }
  };

  return (
    <div className="space-y-1">
      <label htmlFor={id} className={ui.label}>
        {label} <span className="text-xs text-slate-400">(JSON)</span>
      </label>
      <textarea
        id={id}
        rows={rows}
        spellCheck={false}
        aria-invalid={Boolean(error)}
        aria-describedby={error ? `${id}-error` : undefined}
        className={`${ui.input} font-mono text-xs ${error ? 'border-red-500' : ''}`}
        value={text}
        onChange={(e) => edit(e.target.value)}
      />
      {error ? (
        <p id={`${id}-error`} role="alert" className="text-xs text-red-600 dark:text-red-400">
          Invalid JSON: {error}
        </p>
      ) : null}
    </div>
  );
}
