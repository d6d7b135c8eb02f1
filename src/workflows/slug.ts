/** Workflow slugs: format, derivation from a name, and collision suffixes. */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

export const SLUG_PATTERN = /^[a-z0-9][a-z0-9-_]*$/;

/** Lower-case; non-word characters dropped; spaces/underscores → `-`; collapsed; empty → `workflow`. */
export function slugify(name: string): string {
  const slug = name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^\w\s-]/g, '')
    .replace(/[\s_-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 200);
  return slug || 'workflow';
}

/** `base`, or `base-1`, `base-2`… — the first that no workflow uses. */
export async function uniqueSlug(db: Kysely<Database>, base: string): Promise<string> {
  const taken = new Set(
    (
      await db
        .selectFrom('workflows')
        .select('slug')
        .where((eb) => eb.or([eb('slug', '=', base), eb('slug', 'like', `${base}-%`)]))
        .execute()
    ).map((r) => r.slug),
  );
  if (!taken.has(base)) return base;
  for (let i = 1; ; i += 1) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
}
