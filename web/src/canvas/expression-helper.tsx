/** Lists the `{{ node_id.port }}` expressions available to a node (its upstream nodes' outputs). */
import { memo, useState } from 'react';
import type { NodeTypes, WorkflowDetail } from '../api/types';
import { upstreamOf } from './upstream';

interface ExpressionHelperProps {
  nodeId: string;
  detail: WorkflowDetail;
  specs: NodeTypes;
}

export const ExpressionHelper = memo(function ExpressionHelper({
  nodeId,
  detail,
  specs,
}: ExpressionHelperProps) {
  const [copied, setCopied] = useState<string | null>(null);
  const byId = new Map(detail.nodes.map((n) => [n.node_id, n]));
  const expressions = upstreamOf(nodeId, detail.edges).flatMap((id) => {
    const spec = specs[byId.get(id)?.component_type ?? ''];
    return (spec?.outputs ?? []).map((p) => ({ text: `{{ ${id}.${p.name} }}`, type: p.data_type }));
  });
  const copy = async (text: string) => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(text);
    } catch {
      setCopied(null);
    }
  };
  return (
    <details className="rounded-md border border-slate-200 p-2 text-sm dark:border-slate-700">
      <summary className="cursor-pointer font-medium">Expressions ({expressions.length + 1})</summary>
      <ul className="mt-2 space-y-1">
        {[{ text: '{{ trigger.text }}', type: 'string' }, ...expressions].map((e) => (
          <li key={e.text} className="flex items-center justify-between gap-2">
            <code className="truncate font-mono text-xs" title={e.type}>
              {e.text}
            </code>
            <button
              type="button"
              className="text-xs text-sky-700 underline dark:text-sky-400"
              onClick={() => void copy(e.text)}
            >
              Copy<span className="sr-only"> {e.text}</span>
            </button>
          </li>
        ))}
      </ul>
      <p aria-live="polite" className="mt-1 text-xs text-slate-500">
        {copied ? `Copied ${copied}` : ''}
      </p>
    </details>
  );
});
