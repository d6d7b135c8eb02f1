/** Right-click menu listing every command, enabled or not. Escape or a click elsewhere closes it. */
import { useEffect, useRef } from 'react';
import { COMMANDS, type EditorContext } from '../commands';
import { shortcutLabel } from '../commands/keymap';

interface ContextMenuProps {
  at: { x: number; y: number };
  ctx: EditorContext;
  run: (id: string) => void;
  onClose: () => void;
}

export function ContextMenu({ at, ctx, run, onClose }: ContextMenuProps) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.querySelector<HTMLButtonElement>('button:not(:disabled)')?.focus();
    const close = (e: Event) => {
      if (e instanceof KeyboardEvent && e.key !== 'Escape') return;
      if (e instanceof MouseEvent && ref.current?.contains(e.target as Node)) return;
      onClose();
    };
    window.addEventListener('mousedown', close);
    window.addEventListener('keydown', close);
    return () => {
      window.removeEventListener('mousedown', close);
      window.removeEventListener('keydown', close);
    };
  }, [onClose]);
  return (
    <div
      ref={ref}
      role="menu"
      aria-label="Editor actions"
      className="fixed z-50 min-w-48 rounded-md border border-slate-200 bg-white py-1 text-sm shadow-lg dark:border-slate-700 dark:bg-slate-900"
      style={{ left: at.x, top: at.y }}
    >
      {COMMANDS.map((c) => (
        <button
          key={c.id}
          type="button"
          role="menuitem"
          disabled={!c.enabled(ctx)}
          className="flex w-full justify-between gap-4 px-3 py-1 text-left hover:bg-slate-100 disabled:opacity-40 dark:hover:bg-slate-800"
          onClick={() => {
            onClose();
            run(c.id);
          }}
        >
          <span>{c.label}</span>
          {c.shortcut ? <span className="text-xs text-slate-400">{shortcutLabel(c.shortcut[0])}</span> : null}
        </button>
      ))}
    </div>
  );
}
