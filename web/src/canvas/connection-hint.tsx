/** While dragging a connection over a handle that refuses it, says why (the same check as on drop). */
import { useConnection } from '@xyflow/react';
import type { NodeTypes, WorkflowDetail } from '../api/types';
import { checkConnection } from './connection-rules';

export function ConnectionHint({ detail, specs }: { detail: WorkflowDetail; specs: NodeTypes }) {
  const connection = useConnection();
  if (!connection.inProgress || !connection.toHandle) return null;
  const from = connection.fromHandle;
  const to = connection.toHandle;
  // Dragging from a target handle: swap so the check always reads source → target.
  const [source, target] = from.type === 'source' ? [from, to] : [to, from];
  const byId = new Map(detail.nodes.map((n) => [n.node_id, n]));
  const s = byId.get(source.nodeId);
  const t = byId.get(target.nodeId);
  const check = checkConnection({
    source: s,
    target: t,
    sourceSpec: specs[s?.component_type ?? ''],
    targetSpec: specs[t?.component_type ?? ''],
    sourceHandle: source.id,
    targetHandle: target.id,
  });
  return (
    <div
      role="status"
      className={`pointer-events-none absolute top-2 left-1/2 z-10 -translate-x-1/2 rounded-md px-3 py-1 text-sm text-white shadow ${
        check.ok ? 'bg-emerald-600' : 'bg-red-600'
      }`}
    >
      {check.ok ? 'Release to connect' : check.reason}
    </div>
  );
}
