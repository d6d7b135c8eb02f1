/**
 * The texts `recall` and `remember` answer (spec §11.3), shared by the memory nodes and the agent
 * tools — but over the execution's owner and end user, not one global memory.
 */

import type { FactScope } from '../db/tables/memory.js';
import { ensureEpisode, recentEpisodes } from './episodes.js';
import { factValue, getFact, listFacts, searchFacts, setFact, valueText } from './facts.js';
import type { MemoryScope } from './memory-scope.js';
import { findProcedure } from './procedures.js';

export interface RecallOptions {
  memoryType: 'facts' | 'episodes' | 'procedures' | 'all';
  limit: number;
  minConfidence: number;
}

export async function recall(s: MemoryScope, args: { key?: string; query?: string }, o: RecallOptions) {
  await ensureEpisode(s);
  const key = (args.key ?? '').trim();
  const query = (args.query ?? '').trim();
  if (!key && !query) {
    const facts = await listFacts(s, o.limit);
    if (!facts.length) return 'Memory is empty — no facts stored.';
    return JSON.stringify(facts.map((f) => ({ key: f.key, value: factValue(f), confidence: f.confidence })));
  }
  if (key) {
    const fact = await getFact(s, key);
    if (fact) return `${fact.key} = ${valueText(factValue(fact))}`;
    const found = await searchFacts(s, key, { limit: o.limit, minConfidence: o.minConfidence });
    if (found.length) return found.map((f) => `${f.key} = ${valueText(factValue(f))}`).join('\n');
    return `No memory found for key: ${key}`;
  }
  const results: unknown[] = [];
  if (o.memoryType === 'facts' || o.memoryType === 'all') {
    const found = await searchFacts(s, query, { limit: o.limit, minConfidence: o.minConfidence });
    results.push(
      ...found.map((f) => ({ type: 'fact', key: f.key, value: factValue(f), confidence: f.confidence })),
    );
  }
  if (o.memoryType === 'procedures' || o.memoryType === 'all') {
    const p = await findProcedure(s, query);
    if (p) results.push({ type: 'procedure', name: p.name, description: p.description });
  }
  if (o.memoryType === 'episodes' || o.memoryType === 'all') {
    const eps = await recentEpisodes(s, { limit: Math.min(o.limit, 5), query });
    results.push(
      ...eps.map((e) => ({
        type: 'episode',
        summary: e.summary,
        success: e.success === null ? null : Boolean(e.success),
        when: e.started_at,
      })),
    );
  }
  if (!results.length) return `No memories found for query: ${query}`;
  return JSON.stringify(results);
}

export interface RememberOptions {
  factType: string;
  scope: FactScope;
  overwrite: boolean;
}

export async function remember(
  s: MemoryScope,
  args: { key?: unknown; value?: unknown; fact_type?: unknown },
  o: RememberOptions,
) {
  const key = typeof args.key === 'string' ? args.key.trim() : '';
  if (!key) return 'Error: key is required';
  if (args.value === undefined || args.value === null || args.value === '') return 'Error: value is required';
  if (key.length > 255) return 'Error: key is longer than 255 characters';
  await ensureEpisode(s);
  const factType = typeof args.fact_type === 'string' && args.fact_type ? args.fact_type : o.factType;
  const { action } = await setFact(s, {
    key,
    value: args.value,
    factType,
    scope: o.scope,
    overwrite: o.overwrite,
  });
  return `Remembered: ${key} = ${valueText(args.value)} (${action})`;
}
