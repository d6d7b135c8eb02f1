/**
 * Model prices (USD per million tokens) and cost: the reference's table (spec §9.5), matched by
 * prefix on the lower-cased model name, longest prefix first, with admin overrides stored in
 * `model_pricing` taking precedence. Unknown models cost $0 (tokens are still counted).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

export interface ModelPrice {
  model_prefix: string;
  input_per_million: number;
  output_per_million: number;
}

export const DEFAULT_PRICING: ModelPrice[] = [
  ['gpt-4o-mini', 0.15, 0.6],
  ['gpt-4o', 2.5, 10],
  ['gpt-4-turbo', 10, 30],
  ['gpt-4', 30, 60],
  ['gpt-3.5-turbo', 0.5, 1.5],
  ['o3-mini', 1.1, 4.4],
  ['o1-mini', 3, 12],
  ['o1', 15, 60],
  ['claude-3-5-sonnet', 3, 15],
  ['claude-3-5-haiku', 0.8, 4],
  ['claude-3-opus', 15, 75],
  ['claude-sonnet-4', 3, 15],
  ['claude-opus-4', 15, 75],
].map(([model_prefix, input_per_million, output_per_million]) => ({
  model_prefix: model_prefix as string,
  input_per_million: input_per_million as number,
  output_per_million: output_per_million as number,
}));

export async function loadPriceTable(db: Kysely<Database>): Promise<ModelPrice[]> {
  const overrides = await db.selectFrom('model_pricing').selectAll().execute();
  const byPrefix = new Map(DEFAULT_PRICING.map((p) => [p.model_prefix, p]));
  for (const o of overrides) {
    byPrefix.set(o.model_prefix.toLowerCase(), {
      model_prefix: o.model_prefix.toLowerCase(),
      input_per_million: Number(o.input_per_million),
      output_per_million: Number(o.output_per_million),
    });
  }
  return [...byPrefix.values()];
}

export function priceFor(table: ModelPrice[], model: string): ModelPrice | null {
  const name = model.toLowerCase();
  let best: ModelPrice | null = null;
  for (const p of table) {
    if (name.startsWith(p.model_prefix) && (!best || p.model_prefix.length > best.model_prefix.length))
      best = p;
  }
  return best;
}

export function costUsd(table: ModelPrice[], model: string, input: number, output: number): number {
  const p = priceFor(table, model);
  if (!p) return 0;
  return (input * p.input_per_million + output * p.output_per_million) / 1_000_000;
}
