/** Every route of the SPA. The editor is lazy so the first page does not load the canvas library. */
import { lazy, Suspense } from 'react';
import { createBrowserRouter } from 'react-router';
import { AppLayout } from './components/app-layout';
import { Loading } from './components/loading';
import { RequireAuth } from './components/require-auth';
import { AuditPage } from './pages/audit-page';
import { CredentialsPage } from './pages/credentials-page';
import { DashboardPage } from './pages/dashboard-page';
import { ExecutionDetailPage } from './pages/execution-detail-page';
import { ExecutionsPage } from './pages/executions-page';
import { LoginPage } from './pages/login-page';
import { NotFoundPage } from './pages/not-found-page';
import { SchedulesPage } from './pages/schedules-page';
import { SettingsPage } from './pages/settings-page';
import { SetupPage } from './pages/setup-page';
import { UsersPage } from './pages/users-page';
import { WorkspacesPage } from './pages/workspaces-page';

const EditorPage = lazy(() => import('./pages/editor-page'));

export const router = createBrowserRouter([
  { path: '/login', element: <LoginPage /> },
  { path: '/setup', element: <SetupPage /> },
  {
    element: (
      <RequireAuth>
        <AppLayout />
      </RequireAuth>
    ),
    children: [
      { path: '/', element: <DashboardPage /> },
      {
        path: '/workflows/:slug',
        element: (
          <Suspense fallback={<Loading label="Loading editor…" />}>
            <EditorPage />
          </Suspense>
        ),
      },
      { path: '/executions', element: <ExecutionsPage /> },
      { path: '/executions/:id', element: <ExecutionDetailPage /> },
      { path: '/credentials', element: <CredentialsPage /> },
      { path: '/schedules', element: <SchedulesPage /> },
      { path: '/workspaces', element: <WorkspacesPage /> },
      { path: '/settings', element: <SettingsPage /> },
      { path: '/users', element: <UsersPage /> },
      { path: '/audit', element: <AuditPage /> },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
]);
