/** A polite loading indicator. */
export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p role="status" aria-live="polite" className="p-2 text-sm text-slate-500 dark:text-slate-400">
      {label}
    </p>
  );
}
