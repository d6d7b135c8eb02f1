/** A labelled text input; the label is tied to the input for screen readers and tests. */
import { type InputHTMLAttributes, useId } from 'react';
import { ui } from './ui';

interface FieldProps extends InputHTMLAttributes<HTMLInputElement> {
  label: string;
  hint?: string;
}

export function Field({ label, hint, ...input }: FieldProps) {
  const id = useId();
  return (
    <div className="space-y-1">
      <label htmlFor={id} className={ui.label}>
        {label}
      </label>
      <input id={id} className={ui.input} {...input} />
      {hint ? <p className={ui.muted}>{hint}</p> : null}
    </div>
  );
}
