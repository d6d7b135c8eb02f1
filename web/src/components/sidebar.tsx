/** Left navigation with the user's name and logout. Admin-only links show for admins. */
import { NavLink, useNavigate } from 'react-router';
import { useMe } from '../api/account';
import { authApi } from '../api/auth';
import { clearSession, getUsername } from '../auth/session';
import { useSocketState } from '../ws/hooks';
import { socket } from '../ws/socket';

const linkClass = ({ isActive }: { isActive: boolean }) =>
  `block rounded-md px-3 py-2 text-sm ${
    isActive
      ? 'bg-sky-100 font-medium text-sky-900 dark:bg-sky-900 dark:text-sky-100'
      : 'text-slate-700 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800'
  }`;

export function Sidebar() {
  const navigate = useNavigate();
  const me = useMe();
  const wsState = useSocketState();
  const logout = async () => {
    socket.disconnect();
    // The server revokes the session key and clears the cookie; sign out here whatever it answers.
    await authApi.logout().catch(() => {});
    clearSession();
    navigate('/login');
  };
  return (
    <nav
      aria-label="Main"
      className="flex w-52 shrink-0 flex-col border-r border-slate-200 bg-white p-3 dark:border-slate-800 dark:bg-slate-900"
    >
      <p className="mb-4 px-3 text-lg font-bold text-sky-700 dark:text-sky-400">Pipelit</p>
      <ul className="flex-1 space-y-1">
        <li>
          <NavLink to="/" end className={linkClass}>
            Workflows
          </NavLink>
        </li>
        <li>
          <NavLink to="/executions" className={linkClass}>
            Executions
          </NavLink>
        </li>
        <li>
          <NavLink to="/credentials" className={linkClass}>
            Credentials
          </NavLink>
        </li>
        <li>
          <NavLink to="/schedules" className={linkClass}>
            Schedules
          </NavLink>
        </li>
        <li>
          <NavLink to="/workspaces" className={linkClass}>
            Workspaces
          </NavLink>
        </li>
        {me.data?.role === 'admin' ? (
          <>
            <li>
              <NavLink to="/users" className={linkClass}>
                Users
              </NavLink>
            </li>
            <li>
              <NavLink to="/audit" className={linkClass}>
                Audit log
              </NavLink>
            </li>
          </>
        ) : null}
        <li>
          <NavLink to="/settings" className={linkClass}>
            Settings
          </NavLink>
        </li>
      </ul>
      <div className="space-y-2 border-t border-slate-200 pt-3 text-sm dark:border-slate-800">
        <p className="px-3 text-slate-600 dark:text-slate-400">
          Signed in as <span className="font-medium">{me.data?.username ?? getUsername() ?? '…'}</span>
        </p>
        <p className="px-3 text-xs text-slate-500" title="Live updates connection">
          Live: {wsState === 'open' ? 'connected' : 'offline'}
        </p>
        <button type="button" onClick={logout} className={linkClass({ isActive: false })}>
          Log out
        </button>
      </div>
    </nav>
  );
}
