/** Chat with a workflow's chat trigger: send a message (the reply streams over the socket), history. */
import { useQuery } from '@tanstack/react-query';
import { api } from './client';
import type { ChatMessage } from './types';

export const chatKeys = { history: (slug: string) => ['chat', slug] as const };

const base = (slug: string) => `/workflows/${encodeURIComponent(slug)}/chat`;

export function useChatHistory(slug: string) {
  return useQuery({
    queryKey: chatKeys.history(slug),
    queryFn: () => api<{ messages: ChatMessage[]; has_more: boolean }>(`${base(slug)}/history?limit=50`),
  });
}

export const chatApi = {
  send: (slug: string, text: string) =>
    api<{ execution_id: string; status: string }>(`${base(slug)}/`, { method: 'POST', body: { text } }),
  clear: (slug: string) => api(`${base(slug)}/history`, { method: 'DELETE' }),
};
