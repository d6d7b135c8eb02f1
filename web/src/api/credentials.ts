/** Credentials: list, create, test, models, delete. Secrets go in once and only come back masked. */
import { useQuery } from '@tanstack/react-query';
import { api } from './client';
import type { Credential, CredentialType } from './types';

export const credentialKeys = {
  all: ['credentials'] as const,
  models: (id: number) => ['credentials', id, 'models'] as const,
};

export function useCredentials() {
  return useQuery({
    queryKey: credentialKeys.all,
    queryFn: async () => {
      const page = await api<{ items: Credential[]; total: number } | Credential[]>(
        '/credentials/?limit=1000',
      );
      return Array.isArray(page) ? page : page.items;
    },
  });
}

/** Models a provider offers, read through the server (`GET /credentials/{id}/models/`). */
export function useCredentialModels(id: number | null) {
  return useQuery({
    queryKey: credentialKeys.models(id ?? 0),
    enabled: id != null && id > 0,
    queryFn: () => api<Array<{ id: string; name: string }>>(`/credentials/${id}/models/`),
    retry: false,
  });
}

export const credentialApi = {
  create: (body: { name: string; credential_type: CredentialType; detail: Record<string, unknown> }) =>
    api<Credential>('/credentials/', { method: 'POST', body }),
  test: (id: number) => api<{ ok: boolean; error: string }>(`/credentials/${id}/test/`, { method: 'POST' }),
  remove: (id: number) => api(`/credentials/${id}/`, { method: 'DELETE' }),
};
