/** Context window by model name (spec §9.7), overridable per node with `context_window`. */
const WINDOWS: Array<[string, number]> = [
  ['claude', 200_000],
  ['gpt-4o-mini', 128_000],
  ['gpt-4o', 128_000],
  ['gpt-4-turbo', 128_000],
  ['gpt-4', 8_192],
  ['gpt-3.5-turbo', 16_384],
  ['o3-mini', 200_000],
  ['o1-mini', 128_000],
  ['o1', 200_000],
  ['o3', 200_000],
];

export function contextWindowFor(model: string, override?: number | null): number {
  if (override && override > 0) return override;
  const name = model.toLowerCase();
  let best: [string, number] | null = null;
  for (const entry of WINDOWS) {
    if (name.startsWith(entry[0]) && (!best || entry[0].length > best[0].length)) best = entry;
  }
  return best?.[1] ?? 128_000;
}
