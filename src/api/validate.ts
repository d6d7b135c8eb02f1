/**
 * Validation at the edge: parse a request part with a zod schema or answer 422 with a FastAPI-shaped
 * list (`{"detail":[{loc, msg, type}]}`) that names every bad field.
 */
import type { z } from 'zod';
import { AppError, type ValidationIssue } from '../errors.js';

export type RequestPart = 'body' | 'query' | 'path';

export function toIssues(error: z.ZodError, part: RequestPart): ValidationIssue[] {
  return error.issues.map((issue) => ({
    loc: [part, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))],
    msg: issue.message,
    type: issue.code,
  }));
}

export function validate<S extends z.ZodType>(
  schema: S,
  value: unknown,
  part: RequestPart = 'body',
): z.output<S> {
  const result = schema.safeParse(part === 'body' && value === undefined ? {} : value);
  if (!result.success) throw new AppError(422, toIssues(result.error, part), 'VALIDATION');
  return result.data;
}
