/** Execution list and detail (served by the engine's API; pages show an error state until it exists). */
import { useQuery } from '@tanstack/react-query';
import { api } from './client';
import type { Execution, ExecutionDetail, Page } from './types';

export const executionKeys = {
  all: ['executions'] as const,
  list: (filters: Record<string, unknown>) => ['executions', filters] as const,
  detail: (id: string) => ['executions', id] as const,
};

export function useExecutions(status: string, limit: number, offset: number) {
  return useQuery({
    queryKey: executionKeys.list({ status, limit, offset }),
    queryFn: () => {
      const q = new URLSearchParams({ limit: String(limit) });
      if (offset) q.set('offset', String(offset));
      if (status) q.set('status', status);
      return api<Page<Execution>>(`/executions/?${q}`);
    },
  });
}

export function useExecution(id: string) {
  return useQuery({
    queryKey: executionKeys.detail(id),
    queryFn: () => api<ExecutionDetail>(`/executions/${encodeURIComponent(id)}/`),
  });
}

const one = (id: string) => `/executions/${encodeURIComponent(id)}`;

export const executionApi = {
  cancel: (id: string) => api(`${one(id)}/cancel/`, { method: 'POST' }),
  approve: (id: string, taskId: string) =>
    api(`${one(id)}/approve/`, { method: 'POST', body: { task_id: taskId } }),
  deny: (id: string, taskId: string) =>
    api(`${one(id)}/deny/`, { method: 'POST', body: { task_id: taskId } }),
  rerun: (id: string) =>
    api<{ execution_id: string; status: string }>(`${one(id)}/rerun/`, { method: 'POST' }),
  batchDelete: (ids: string[]) =>
    api('/executions/batch-delete/', { method: 'POST', body: { execution_ids: ids } }),
};
