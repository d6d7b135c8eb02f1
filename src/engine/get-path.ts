/**
 * Reads a dotted path (`a.b.0.c`) out of plain JSON-like data without evaluating anything.
 *
 * Only own properties are followed, so `__proto__`, `constructor` and friends resolve to
 * `undefined` instead of reaching prototypes. Array segments must be non-negative integers.
 *
 * @param root - The value to read from.
 * @param path - Dot-separated segments; an empty path returns `root` itself.
 * @returns The value at the path, or `undefined` when any segment is missing.
 */
export function getPath(root: unknown, path: string): unknown {
  if (path === '') return root;
  let current: unknown = root;
  for (const segment of path.split('.')) {
    if (Array.isArray(current)) {
      if (!/^\d+$/.test(segment)) return undefined;
      current = current[Number(segment)];
    } else if (current !== null && typeof current === 'object') {
      if (!Object.hasOwn(current, segment)) return undefined;
      current = (current as Record<string, unknown>)[segment];
    } else {
      return undefined;
    }
  }
  return current;
}
