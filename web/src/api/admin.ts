/** Admin-only reads: platform settings with the environment report, and the audit log. */
import { useQuery } from '@tanstack/react-query';
import { api } from './client';
import type { AuditEvent, Page } from './types';

export interface PlatformSettings {
  config: Record<string, unknown>;
  environment: Record<string, unknown>;
  effective: Record<string, unknown>;
}

export const adminKeys = {
  settings: ['platform-settings'] as const,
  audit: (offset: number) => ['audit', offset] as const,
};

export function usePlatformSettings(enabled: boolean) {
  return useQuery({
    queryKey: adminKeys.settings,
    enabled,
    queryFn: () => api<PlatformSettings>('/settings/'),
  });
}

export function useAuditLog(limit: number, offset: number) {
  return useQuery({
    queryKey: adminKeys.audit(offset),
    queryFn: () => api<Page<AuditEvent>>(`/audit/?limit=${limit}${offset ? `&offset=${offset}` : ''}`),
  });
}

export const adminApi = {
  saveSettings: (body: Record<string, unknown>) =>
    api<{ config: Record<string, unknown>; hot_reloaded: string[]; restart_required: string[] }>(
      '/settings/',
      { method: 'PATCH', body },
    ),
  recheckEnvironment: () =>
    api<{ environment: Record<string, unknown> }>('/settings/recheck-environment/', { method: 'POST' }),
};
