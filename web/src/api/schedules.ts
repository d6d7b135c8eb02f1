/** Schedules: list, pause, resume, delete; and the node-level start/pause/stop of a schedule trigger. */
import { useQuery } from '@tanstack/react-query';
import { api } from './client';
import type { Page, Schedule } from './types';

export const scheduleKeys = { all: ['schedules'] as const };

export function useSchedules() {
  return useQuery({
    queryKey: scheduleKeys.all,
    queryFn: () => api<Page<Schedule>>('/schedules/?limit=200'),
  });
}

const job = (id: string) => `/schedules/${encodeURIComponent(id)}`;
const node = (slug: string, nodeId: string) =>
  `/workflows/${encodeURIComponent(slug)}/nodes/${encodeURIComponent(nodeId)}/schedule`;

export const scheduleApi = {
  pause: (id: string) => api<Schedule>(`${job(id)}/pause/`, { method: 'POST' }),
  resume: (id: string) => api<Schedule>(`${job(id)}/resume/`, { method: 'POST' }),
  remove: (id: string) => api(`${job(id)}/`, { method: 'DELETE' }),
  nodeAction: (slug: string, nodeId: string, action: 'start' | 'pause' | 'stop') =>
    api(`${node(slug, nodeId)}/${action}/`, { method: 'POST' }),
};
