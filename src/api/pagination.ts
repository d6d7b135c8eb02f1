import { z } from 'zod';

/** `limit` (default 50, 1..500) and `offset` (default 0) query parameters, as the reference lists take. */
export const ZPage = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
export type TPage = z.infer<typeof ZPage>;
