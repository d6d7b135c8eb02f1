/** Small conversions between stored values and API values; see the conventions in `schema.ts`. */

let lastMs = Number.NaN;
let lastIso = '';
/** The current time as an ISO string; formatted once per millisecond (the engine asks often). */
export function nowIso(): string {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

export const toBool = (value: unknown): boolean => value === true || value === 1 || value === '1';

/** Parses a JSON text column, falling back when the column is empty or null. */
export function fromJson<T>(text: string | null | undefined, fallback: T): T {
  if (text === null || text === undefined || text === '') return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

export const toJson = (value: unknown): string => JSON.stringify(value ?? null);

/** PostgreSQL returns bigint aggregates as strings. */
export const toInt = (value: unknown): number => Number(value ?? 0);
