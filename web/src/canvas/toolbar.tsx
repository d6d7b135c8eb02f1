/** Toolbar buttons for the commands marked `toolbar`, with their shortcuts in the tooltip. */
import { COMMANDS, type EditorContext } from '../commands';
import { shortcutLabel } from '../commands/keymap';
import { ui } from '../components/ui';

interface ToolbarProps {
  ctx: EditorContext | null;
  run: (id: string) => void;
}

export function Toolbar({ ctx, run }: ToolbarProps) {
  return (
    <div role="toolbar" aria-label="Editor" className="flex flex-wrap gap-1.5">
      {COMMANDS.filter((c) => c.toolbar).map((c) => (
        <button
          key={c.id}
          type="button"
          className={c.id === 'run' ? ui.primary : ui.button}
          disabled={!ctx || !c.enabled(ctx)}
          title={c.shortcut ? `${c.label} (${shortcutLabel(c.shortcut[0])})` : c.label}
          onClick={() => run(c.id)}
        >
          {c.label}
        </button>
      ))}
    </div>
  );
}
