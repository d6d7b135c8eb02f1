/**
 * `web_search(query)`: top results as `**<title>**\n<snippet>\nURL: <url>` blocks (spec §9.6), from
 * SearXNG (a URL) or a keyed provider (Brave, Tavily) held in a `tool` credential. Every request goes
 * through the guarded client. The tool node may name a credential; otherwise the owner's preferred
 * search credential is used, else the node's own `searxng_url`.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { fromJson } from '../../db/values.js';
import { createGuardedFetch } from '../../sandbox/guarded-http.js';
import { type LoadedCredential, loadCredentialForOwner } from '../credential-store.js';
import { type AgentTool, obj, type ToolFactory } from './types.js';

export interface SearchResult {
  title: string;
  content: string;
  url: string;
}

export interface SearchBackend {
  kind: 'searxng' | 'brave' | 'tavily';
  url: string;
  apiKey: string;
}

const UNAVAILABLE = 'Web search unavailable. Try answering from your knowledge.';

export function formatResults(results: SearchResult[], max: number): string {
  if (!results.length) return 'No results found.';
  return results
    .slice(0, max)
    .map((r) => `**${r.title}**\n${r.content}\nURL: ${r.url}`)
    .join('\n\n');
}

export async function searchWeb(
  backend: SearchBackend,
  query: string,
  fetch: typeof globalThis.fetch,
  signal: AbortSignal,
): Promise<SearchResult[]> {
  const timeout = AbortSignal.any([signal, AbortSignal.timeout(15_000)]);
  if (backend.kind === 'brave') {
    const url = new URL(backend.url || 'https://api.search.brave.com/res/v1/web/search');
    url.searchParams.set('q', query);
    const res = await fetch(url, {
      headers: { accept: 'application/json', 'x-subscription-token': backend.apiKey },
      signal: timeout,
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const data = (await res.json()) as { web?: { results?: Array<Record<string, string>> } };
    return (data.web?.results ?? []).map((r) => ({
      title: r.title ?? '',
      content: r.description ?? '',
      url: r.url ?? '',
    }));
  }
  if (backend.kind === 'tavily') {
    const res = await fetch(backend.url || 'https://api.tavily.com/search', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${backend.apiKey}` },
      body: JSON.stringify({ query, max_results: 10 }),
      signal: timeout,
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const data = (await res.json()) as { results?: Array<Record<string, string>> };
    return (data.results ?? []).map((r) => ({
      title: r.title ?? '',
      content: r.content ?? '',
      url: r.url ?? '',
    }));
  }
  const url = new URL(`${backend.url.replace(/\/+$/, '')}/search`);
  url.searchParams.set('q', query);
  url.searchParams.set('format', 'json');
  const res = await fetch(url, { headers: { accept: 'application/json' }, signal: timeout });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const data = (await res.json()) as { results?: Array<Record<string, string>> };
  return (data.results ?? []).map((r) => ({
    title: r.title ?? '',
    content: r.content ?? '',
    url: r.url ?? '',
  }));
}

export function backendOf(credential: LoadedCredential): SearchBackend | null {
  const kind = String(credential.detail.tool_type ?? '');
  const config = (credential.detail.config ?? {}) as Record<string, unknown>;
  if (kind !== 'searxng' && kind !== 'brave' && kind !== 'tavily') return null;
  const url = typeof config.url === 'string' ? config.url : '';
  if (kind === 'searxng' && !url) return null;
  return { kind, url, apiKey: credential.secrets.api_key ?? '' };
}

/** The owner's search credential: preferred first, then lowest id. */
export async function findSearchCredential(
  db: Kysely<Database>,
  encryptionKey: string,
  ownerId: number,
): Promise<SearchBackend | null> {
  const rows = await db
    .selectFrom('credentials')
    .select(['id', 'detail'])
    .where('user_id', '=', ownerId)
    .where('credential_type', '=', 'tool')
    .orderBy('id')
    .execute();
  const ordered = [...rows].sort(
    (a, b) =>
      Number(Boolean(fromJson<Record<string, unknown>>(b.detail, {}).is_preferred)) -
      Number(Boolean(fromJson<Record<string, unknown>>(a.detail, {}).is_preferred)),
  );
  for (const row of ordered) {
    const backend = backendOf(await loadCredentialForOwner(db, encryptionKey, row.id, ownerId, 'tool'));
    if (backend) return backend;
  }
  return null;
}

export function webSearchFromBackend(
  backend: SearchBackend,
  fetch: typeof globalThis.fetch,
  max: number,
  nodeId?: string,
): AgentTool {
  return {
    name: 'web_search',
    description: 'Search the web and return the top results (title, snippet, URL).',
    parameters: obj({ query: { type: 'string' } }, ['query']),
    nodeId,
    async execute(args, run) {
      try {
        return formatResults(await searchWeb(backend, String(args.query ?? ''), fetch, run.signal), max);
      } catch (err) {
        if (run.signal.aborted) throw err;
        return UNAVAILABLE;
      }
    },
  };
}

export const webSearchTool: ToolFactory = async (b): Promise<AgentTool[]> => {
  const fetch = createGuardedFetch({ allowlist: b.ai.deps.settings.outboundAllowlist ?? [] });
  const max = Number(b.config.max_results ?? 5);
  const key = b.ai.deps.settings.fieldEncryptionKey;
  let backend: SearchBackend | null = null;
  const credentialId = Number(b.config.credential_id ?? b.toolNode.config.credential_id ?? 0);
  if (credentialId) {
    backend = backendOf(
      await loadCredentialForOwner(b.ai.db, key, credentialId, b.ai.workflow.ownerId, 'tool'),
    );
  } else if (typeof b.config.searxng_url === 'string' && b.config.searxng_url) {
    backend = { kind: 'searxng', url: b.config.searxng_url, apiKey: '' };
  } else {
    backend = await findSearchCredential(b.ai.db, key, b.ai.workflow.ownerId);
  }
  if (!backend) {
    return [
      {
        name: 'web_search',
        description: 'Search the web.',
        parameters: obj({ query: { type: 'string' } }, ['query']),
        nodeId: b.toolNode.nodeId,
        execute: async () => UNAVAILABLE,
      },
    ];
  }
  return [webSearchFromBackend(backend, fetch, max, b.toolNode.nodeId)];
};
