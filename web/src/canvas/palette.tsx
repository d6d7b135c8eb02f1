/**
 * Node palette: node types grouped and coloured by category. Drag an item onto the canvas, or press
 * it (click / Enter) to add the node in the middle of the view.
 */
import { type DragEvent, memo, useMemo, useState } from 'react';
import type { NodeTypeSpec, NodeTypes } from '../api/types';
import { ui } from '../components/ui';
import { CATEGORY_LABELS, CATEGORY_ORDER, colorOf } from './colors';

export const DRAG_MIME = 'application/x-pipelit-node-type';

interface PaletteProps {
  specs: NodeTypes;
  onAdd: (componentType: string) => void;
}

function groupByCategory(specs: NodeTypeSpec[]): Array<[string, NodeTypeSpec[]]> {
  const groups = new Map<string, NodeTypeSpec[]>();
  for (const spec of specs) groups.set(spec.category, [...(groups.get(spec.category) ?? []), spec]);
  const rank = (c: string) => (CATEGORY_ORDER.indexOf(c) + 100) % 100;
  return [...groups.entries()].sort((a, b) => rank(a[0]) - rank(b[0]));
}

export const Palette = memo(function Palette({ specs, onAdd }: PaletteProps) {
  const [filter, setFilter] = useState('');
  const groups = useMemo(() => {
    const q = filter.trim().toLowerCase();
    const list = Object.values(specs).filter(
      (s) => !q || s.display_name.toLowerCase().includes(q) || s.component_type.includes(q),
    );
    return groupByCategory(list);
  }, [specs, filter]);

  const onDragStart = (event: DragEvent, type: string) => {
    event.dataTransfer.setData(DRAG_MIME, type);
    event.dataTransfer.effectAllowed = 'move';
  };

  return (
    <aside
      aria-label="Node palette"
      className="flex w-60 shrink-0 flex-col border-r border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900"
    >
      <div className="p-2">
        <input
          type="search"
          aria-label="Filter node types"
          placeholder="Filter nodes…"
          className={ui.input}
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
      </div>
      <div className="flex-1 space-y-3 overflow-y-auto px-2 pb-4">
        {groups.map(([category, list]) => (
          <section key={category} aria-label={CATEGORY_LABELS[category] ?? category}>
            <h3 className="mb-1 px-1 text-xs font-semibold tracking-wide text-slate-500 uppercase">
              {CATEGORY_LABELS[category] ?? category}
            </h3>
            <ul className="space-y-1">
              {list.map((spec) => (
                <li key={spec.component_type}>
                  <button
                    type="button"
                    draggable
                    onDragStart={(e) => onDragStart(e, spec.component_type)}
                    onClick={() => onAdd(spec.component_type)}
                    title={spec.description || spec.display_name}
                    data-testid={`palette-${spec.component_type}`}
                    className="flex w-full cursor-grab items-center gap-2 rounded-md border border-slate-200 px-2 py-1 text-left text-sm hover:bg-slate-50 dark:border-slate-700 dark:hover:bg-slate-800"
                  >
                    <span
                      aria-hidden
                      className="h-3 w-3 shrink-0 rounded-sm"
                      style={{ background: colorOf(spec) }}
                    />
                    {spec.palette?.label || spec.display_name}
                  </button>
                </li>
              ))}
            </ul>
          </section>
        ))}
      </div>
    </aside>
  );
});
