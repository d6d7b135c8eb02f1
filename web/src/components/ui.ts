/** Shared Tailwind class strings, so every page's controls look and focus alike. */
export const ui = {
  button:
    'inline-flex items-center gap-1.5 rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-800 hover:bg-slate-100 disabled:opacity-50 dark:border-slate-600 dark:bg-slate-800 dark:text-slate-100 dark:hover:bg-slate-700',
  primary:
    'inline-flex items-center gap-1.5 rounded-md bg-sky-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-700 disabled:opacity-50',
  danger:
    'inline-flex items-center gap-1.5 rounded-md bg-red-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-red-700 disabled:opacity-50',
  input:
    'w-full rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm text-slate-900 placeholder:text-slate-400 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100',
  label: 'block text-sm font-medium text-slate-700 dark:text-slate-300',
  card: 'rounded-lg border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-700 dark:bg-slate-900',
  table: 'w-full text-left text-sm',
  th: 'border-b border-slate-200 px-3 py-2 font-medium text-slate-600 dark:border-slate-700 dark:text-slate-400',
  td: 'border-b border-slate-100 px-3 py-2 dark:border-slate-800',
  h1: 'text-xl font-semibold',
  muted: 'text-sm text-slate-500 dark:text-slate-400',
};
