/** The signed-in user: profile, password, API keys, MFA; and the admin user list. */
import { useQuery } from '@tanstack/react-query';
import { api } from './client';
import type { ApiKey, MfaSetup, User } from './types';

export const accountKeys = {
  me: ['users', 'me'] as const,
  keys: ['users', 'me', 'keys'] as const,
  mfa: ['mfa-status'] as const,
  users: ['users', 'list'] as const,
};

export function useMe() {
  return useQuery({ queryKey: accountKeys.me, queryFn: () => api<User>('/users/me/') });
}

export function useApiKeys() {
  return useQuery({ queryKey: accountKeys.keys, queryFn: () => api<ApiKey[]>('/users/me/keys/') });
}

export function useMfaStatus() {
  return useQuery({
    queryKey: accountKeys.mfa,
    queryFn: () => api<{ mfa_enabled: boolean }>('/auth/mfa/status/'),
    retry: false,
  });
}

export function useUsers() {
  return useQuery({
    queryKey: accountKeys.users,
    queryFn: () => api<{ users: User[]; total: number }>('/users/?limit=200'),
  });
}

export const accountApi = {
  updateMe: (body: { password?: string; first_name?: string; last_name?: string }) =>
    api<User>('/users/me/', { method: 'PATCH', body }),
  createKey: (name: string) =>
    api<ApiKey & { key: string }>('/users/me/keys/', { method: 'POST', body: { name } }),
  revokeKey: (id: number) => api(`/users/me/keys/${id}/`, { method: 'DELETE' }),
  mfaSetup: () => api<MfaSetup>('/auth/mfa/setup/', { method: 'POST' }),
  mfaVerify: (code: string) =>
    api<{ mfa_enabled: boolean }>('/auth/mfa/verify/', { method: 'POST', body: { code } }),
  mfaDisable: (code: string) =>
    api<{ mfa_enabled: boolean }>('/auth/mfa/disable/', { method: 'POST', body: { code } }),
  createUser: (body: { username: string; password: string; role: 'admin' | 'normal' }) =>
    api<User>('/users/', { method: 'POST', body }),
  deleteUser: (id: number) => api(`/users/${id}/`, { method: 'DELETE' }),
};
