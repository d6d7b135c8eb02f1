/** Workflow list, detail, node types, import/export and validation. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './client';
import type { NodeTypes, Page, ValidationResult, Workflow, WorkflowDetail, WorkflowSettings } from './types';

export const workflowKeys = {
  list: (params: Record<string, unknown>) => ['workflows', params] as const,
  all: ['workflows'] as const,
  detail: (slug: string) => ['workflows', slug] as const,
  nodeTypes: ['node-types'] as const,
};

export function useWorkflows(limit: number, offset: number) {
  return useQuery({
    queryKey: workflowKeys.list({ limit, offset }),
    queryFn: () => api<Page<Workflow>>(`/workflows/?limit=${limit}${offset ? `&offset=${offset}` : ''}`),
  });
}

export function useWorkflow(slug: string) {
  return useQuery({
    queryKey: workflowKeys.detail(slug),
    queryFn: () => api<WorkflowDetail>(`/workflows/${encodeURIComponent(slug)}/`),
  });
}

export function useNodeTypes() {
  return useQuery({
    queryKey: workflowKeys.nodeTypes,
    queryFn: () => api<NodeTypes>('/workflows/node-types/'),
    staleTime: Number.POSITIVE_INFINITY,
  });
}

export function useCreateWorkflow() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { name: string; slug: string; description: string }) =>
      api<Workflow>('/workflows/', { method: 'POST', body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: workflowKeys.all }),
  });
}

export function useDeleteWorkflows() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (slugs: string[]) => {
      if (slugs.length === 1) {
        await api(`/workflows/${encodeURIComponent(slugs[0])}/`, { method: 'DELETE' });
      } else {
        await api('/workflows/batch-delete/', { method: 'POST', body: { slugs } });
      }
    },
    onSuccess: () => qc.invalidateQueries({ queryKey: workflowKeys.all }),
  });
}

export function useUpdateWorkflow(slug: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: Partial<WorkflowSettings>) =>
      api<Workflow>(`/workflows/${encodeURIComponent(slug)}/`, { method: 'PATCH', body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: workflowKeys.all }),
  });
}

export function useImportWorkflow() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (yaml_str: string) =>
      api<Partial<Workflow>>('/workflows/import/', { method: 'POST', body: { yaml_str } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: workflowKeys.all }),
  });
}

/** The export answer is YAML (text) or JSON carrying it; both end up as a string. */
export async function exportWorkflow(slug: string): Promise<string> {
  const out = await api<unknown>(`/workflows/${encodeURIComponent(slug)}/export/`);
  if (typeof out === 'string') return out;
  if (out && typeof out === 'object' && 'yaml_str' in out)
    return String((out as { yaml_str: unknown }).yaml_str);
  if (out && typeof out === 'object' && 'yaml' in out) return String((out as { yaml: unknown }).yaml);
  return JSON.stringify(out, null, 2);
}

export function validateWorkflow(slug: string): Promise<ValidationResult> {
  return api<ValidationResult>(`/workflows/${encodeURIComponent(slug)}/validate/`, { method: 'POST' });
}

export function executeWorkflow(slug: string, triggerNodeId: string) {
  return api<{ execution_id: string; status: string }>(`/workflows/${encodeURIComponent(slug)}/execute/`, {
    method: 'POST',
    body: { text: '', trigger_node_id: triggerNodeId },
  });
}
