/** Sends visitors who have not signed in to `/login` (which forwards to `/setup` on a fresh install). */
import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { isSignedIn } from '../auth/session';

export function RequireAuth({ children }: { children: ReactNode }) {
  const location = useLocation();
  if (!isSignedIn()) return <Navigate to="/login" replace state={{ from: location.pathname }} />;
  return <>{children}</>;
}
