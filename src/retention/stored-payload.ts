/**
 * The stored copy of a payload (node input/output, trigger payload, final output) is capped so one huge
 * value cannot bloat the database. The running execution keeps the full value in memory; only what is
 * written is replaced by a marker: `{"_truncated": true, "original_bytes": N, "preview": "<first 1 KB>"}`.
 */

/** Characters of the original JSON kept in the marker. */
export const PREVIEW_CHARS = 1024;
export const DEFAULT_MAX_STORED_PAYLOAD_BYTES = 262_144;

let maxStoredBytes = DEFAULT_MAX_STORED_PAYLOAD_BYTES;

/** Sets the cap for this process (from MAX_STORED_PAYLOAD_BYTES, when the runtime starts). */
export function setMaxStoredPayloadBytes(bytes: number): void {
  maxStoredBytes = Math.max(1024, Math.floor(bytes));
}

export function maxStoredPayloadBytes(): number {
  return maxStoredBytes;
}

export interface TruncationMarker {
  _truncated: true;
  original_bytes: number;
  preview: string;
}

export function isTruncationMarker(value: unknown): value is TruncationMarker {
  return (
    typeof value === 'object' && value !== null && (value as { _truncated?: unknown })._truncated === true
  );
}

function marker(json: string, bytes: number): string {
  const out: TruncationMarker = {
    _truncated: true,
    original_bytes: bytes,
    preview: json.slice(0, PREVIEW_CHARS),
  };
  return JSON.stringify(out);
}

/**
 * JSON text of `value` for storage: the value itself when it fits in `limit` bytes, otherwise the
 * truncation marker.
 */
export function storedJson(value: unknown, limit = maxStoredBytes): string {
  const json = JSON.stringify(value ?? null);
  // UTF-8 needs at most 3 bytes per UTF-16 unit: skip the exact count for clearly small values.
  if (json.length * 3 <= limit) return json;
  const bytes = Buffer.byteLength(json, 'utf8');
  return bytes <= limit ? json : marker(json, bytes);
}

/**
 * Node metadata keeps its small bookkeeping keys (kind, wake_at, warnings…) intact; only a big value
 * inside it (carried outputs, an explicit final output, a resume answer) is replaced by a marker.
 */
export function storedMetadataJson(meta: Record<string, unknown>, limit = maxStoredBytes): string {
  const json = JSON.stringify(meta);
  if (json.length * 3 <= limit || Buffer.byteLength(json, 'utf8') <= limit) return json;
  const share = Math.max(1024, Math.floor(limit / Math.max(1, Object.keys(meta).length)));
  const capped: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(meta)) {
    const text = JSON.stringify(value ?? null);
    capped[key] = Buffer.byteLength(text, 'utf8') <= share ? value : JSON.parse(storedJson(value, 0));
  }
  return JSON.stringify(capped);
}
