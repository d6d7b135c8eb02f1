/** Workspaces (sandbox directories): list, create, update (network, env vars), delete. */
import { useQuery } from '@tanstack/react-query';
import { api } from './client';
import type { EnvVar, Page, Workspace } from './types';

export const workspaceKeys = { all: ['workspaces'] as const };

export function useWorkspaces() {
  return useQuery({
    queryKey: workspaceKeys.all,
    queryFn: () => api<Page<Workspace>>('/workspaces/?limit=200'),
  });
}

export const workspaceApi = {
  create: (body: { name: string; allow_network: boolean }) =>
    api<Workspace>('/workspaces/', { method: 'POST', body }),
  update: (id: number, body: { allow_network?: boolean; env_vars?: EnvVar[] }) =>
    api<Workspace>(`/workspaces/${id}/`, { method: 'PATCH', body }),
  remove: (id: number) => api(`/workspaces/${id}/`, { method: 'DELETE' }),
};
