/** The rule shape shared by switch, filter and assertion (operators in `engine/operators.ts`). */
import { z } from 'zod';

export const OPERATORS = [
  'exists',
  'does_not_exist',
  'is_empty',
  'is_not_empty',
  'equals',
  'not_equals',
  'contains',
  'not_contains',
  'starts_with',
  'not_starts_with',
  'ends_with',
  'not_ends_with',
  'matches_regex',
  'not_matches_regex',
  'gt',
  'lt',
  'gte',
  'lte',
  'after',
  'before',
  'after_or_equal',
  'before_or_equal',
  'is_true',
  'is_false',
  'length_eq',
  'length_neq',
  'length_gt',
  'length_lt',
  'length_gte',
  'length_lte',
] as const;

export type Operator = (typeof OPERATORS)[number];

export const ZRule = z.looseObject({
  id: z.string().default(''),
  label: z.string().optional(),
  /** Dotted path: `node_id.port`, `node_outputs.node_id.port`, `trigger.text`, or an item key (filter). */
  field: z.string().default(''),
  operator: z.enum(OPERATORS).default('equals'),
  value: z.unknown().optional(),
});
export type TRule = z.infer<typeof ZRule>;
