/** Pretty JSON (or a plain string) in a scrollable block, captioned for screen readers. */
export function JsonView({ value, label }: { value: unknown; label: string }) {
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  return (
    <figure>
      <figcaption className="sr-only">{label}</figcaption>
      <pre className="max-h-64 overflow-auto rounded-md bg-slate-100 p-2 font-mono text-xs whitespace-pre-wrap dark:bg-slate-800">
        {text}
      </pre>
    </figure>
  );
}
