/** Admin: the security audit log (logins, MFA, keys, credentials…), newest first, paged. */
import { useState } from 'react';
import { useMe } from '../api/account';
import { useAuditLog } from '../api/admin';
import { ErrorState } from '../components/error-state';
import { formatDate } from '../components/format-date';
import { Loading } from '../components/loading';
import { Pager } from '../components/pager';
import { ui } from '../components/ui';

const PAGE = 50;

export function AuditPage() {
  const me = useMe();
  const [offset, setOffset] = useState(0);
  const log = useAuditLog(PAGE, offset);
  return (
    <div className="space-y-4 p-6">
      <h1 className={ui.h1}>Audit log</h1>
      {me.data && me.data.role !== 'admin' ? (
        <p role="alert">Only administrators can read the audit log.</p>
      ) : null}
      <ErrorState error={log.error} title="Could not load the audit log" />
      {log.isPending ? <Loading /> : null}
      {log.data && log.data.items.length === 0 ? <p className={ui.muted}>No events yet.</p> : null}
      {log.data && log.data.items.length > 0 ? (
        <div className={ui.card}>
          <table className={ui.table}>
            <thead>
              <tr>
                <th className={ui.th}>Time</th>
                <th className={ui.th}>Action</th>
                <th className={ui.th}>User</th>
                <th className={ui.th}>Target</th>
                <th className={ui.th}>Address</th>
                <th className={ui.th}>Details</th>
              </tr>
            </thead>
            <tbody>
              {log.data.items.map((e) => (
                <tr key={e.id} className="align-top">
                  <td className={`${ui.td} whitespace-nowrap`}>{formatDate(e.created_at)}</td>
                  <td className={`${ui.td} font-mono text-xs`}>{e.action}</td>
                  <td className={ui.td}>{e.actor_user_id ?? '—'}</td>
                  <td className={`${ui.td} font-mono text-xs`}>{e.target || '—'}</td>
                  <td className={`${ui.td} font-mono text-xs`}>{e.ip || '—'}</td>
                  <td className={`${ui.td} font-mono text-xs break-all`}>
                    {Object.keys(e.details ?? {}).length ? JSON.stringify(e.details) : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager total={log.data.total} offset={offset} pageSize={PAGE} onChange={setOffset} />
        </div>
      ) : null}
    </div>
  );
}
