/**
 * Rule operators shared by the switch, filter and assertion nodes (reference §8.8).
 *
 * Everything here is total: a rule either matches or not, it never throws (bad regexes, unparseable
 * numbers or dates and unknown operators simply do not match).
 */
import type { TRule } from '../nodes/rules.js';
import { getPath } from './get-path.js';

/** What a rule's `field` can reach: the execution state as the switch node sees it. */
export interface TRuleScope {
  node_outputs: Record<string, unknown>;
  trigger?: unknown;
  loop?: unknown;
  route?: unknown;
}

/** Regex inputs are cut to this length so a slow (polynomial) pattern stays bounded. */
export const REGEX_MAX_INPUT = 5_000;
/** Longer patterns are refused (the rule does not match). */
export const REGEX_MAX_PATTERN = 1_000;

/**
 * Resolves a rule's dotted `field` against the execution state.
 *
 * Accepted forms: `node_outputs.<node>.<path>`, the same with a leading `state.`, `<node>.<path>`
 * (node ids win over the scope's own keys), `trigger.<path>`, `loop.<path>` and `route`.
 *
 * @returns The value, or `undefined` when the path does not exist.
 */
export function resolveField(field: string, scope: TRuleScope): unknown {
  const path = field.trim().replace(/^state\./, '');
  if (path === '' || path === 'state') return undefined;
  const dot = path.indexOf('.');
  const head = dot === -1 ? path : path.slice(0, dot);
  const rest = dot === -1 ? '' : path.slice(dot + 1);
  const outputs = scope.node_outputs ?? {};
  if (Object.hasOwn(outputs, head)) return getPath(outputs[head], rest);
  switch (head) {
    case 'node_outputs':
      return getPath(outputs, rest);
    case 'trigger':
      return getPath(scope.trigger, rest);
    case 'loop':
      return getPath(scope.loop, rest);
    case 'route':
      return getPath(scope.route, rest);
    default:
      return undefined;
  }
}

/**
 * Evaluates one rule against an already resolved field value.
 *
 * @param rule - The rule (`operator` defaults to `equals`; `value` is the comparison operand).
 * @param fieldValue - The resolved field (`resolveField`, or a filter item's key).
 * @returns Whether the rule matches. Never throws.
 */
export function evaluateRule(rule: Pick<TRule, 'operator' | 'value'>, fieldValue: unknown): boolean {
  const fv = fieldValue;
  const rv = rule.value;
  switch (rule.operator ?? 'equals') {
    case 'exists':
      return fv !== null && fv !== undefined;
    case 'does_not_exist':
      return fv === null || fv === undefined;
    case 'is_empty':
      return isEmpty(fv);
    case 'is_not_empty':
      return !isEmpty(fv);
    case 'equals':
      return toText(fv) === toText(rv);
    case 'not_equals':
      return toText(fv) !== toText(rv);
    case 'contains':
      return contains(fv, rv);
    case 'not_contains':
      return !contains(fv, rv);
    case 'starts_with':
      return toText(fv).startsWith(toText(rv));
    case 'not_starts_with':
      return !toText(fv).startsWith(toText(rv));
    case 'ends_with':
      return toText(fv).endsWith(toText(rv));
    case 'not_ends_with':
      return !toText(fv).endsWith(toText(rv));
    case 'matches_regex':
      return regexSearch(fv, rv) === true;
    case 'not_matches_regex':
      return regexSearch(fv, rv) === false;
    case 'gt':
      return toNumber(fv) > toNumber(rv);
    case 'lt':
      return toNumber(fv) < toNumber(rv);
    case 'gte':
      return toNumber(fv) >= toNumber(rv);
    case 'lte':
      return toNumber(fv) <= toNumber(rv);
    case 'after':
      return compareDates(fv, rv, (a, b) => a > b);
    case 'before':
      return compareDates(fv, rv, (a, b) => a < b);
    case 'after_or_equal':
      return compareDates(fv, rv, (a, b) => a >= b);
    case 'before_or_equal':
      return compareDates(fv, rv, (a, b) => a <= b);
    case 'is_true':
      return isTrue(fv);
    case 'is_false':
      return !isTrue(fv);
    case 'length_eq':
      return compareLength(fv, rv, (a, b) => a === b, false);
    case 'length_neq':
      return compareLength(fv, rv, (a, b) => a !== b, true);
    case 'length_gt':
      return compareLength(fv, rv, (a, b) => a > b, false);
    case 'length_lt':
      return compareLength(fv, rv, (a, b) => a < b, false);
    case 'length_gte':
      return compareLength(fv, rv, (a, b) => a >= b, false);
    case 'length_lte':
      return compareLength(fv, rv, (a, b) => a <= b, false);
    default:
      return false;
  }
}

/** `str(value)`: strings as-is, null/undefined as "", objects and arrays as JSON. */
export function toText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') {
    try {
      return JSON.stringify(value) ?? '';
    } catch {
      return String(value);
    }
  }
  return String(value);
}

/** Float coercion as in the reference: booleans are 1/0, anything unparseable is 0. */
export function toNumber(value: unknown): number {
  if (typeof value === 'number') return Number.isNaN(value) ? 0 : value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string') {
    const text = value.trim();
    if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) return Number(text);
    if (/^[+-]?(inf|infinity)$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  }
  return 0;
}

function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}

/** Python truthiness, with the strings "true"/"1"/"yes" (any case) counting as true. */
function isTrue(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') return ['true', '1', 'yes'].includes(value.trim().toLowerCase());
  if (typeof value === 'number') return value !== 0 && !Number.isNaN(value);
  if (value === null || value === undefined) return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return Boolean(value);
}

/**
 * List membership when the field is a list, otherwise substring. Membership compares primitives by
 * their text so a rule typed in the UI ("3") finds the number 3 in `[1, 2, 3]`.
 */
function contains(fv: unknown, rv: unknown): boolean {
  if (Array.isArray(fv)) {
    const needle = toText(rv);
    return fv.some((item) => item === rv || toText(item) === needle);
  }
  return toText(fv).includes(toText(rv));
}

/** Nested quantifiers such as `(a+)+` backtrack exponentially; refuse them outright. */
const NESTED_QUANTIFIER = /\((?:[^()\\]|\\.)*(?:[+*]|\{\d+,\d*\})(?:[^()\\]|\\.)*\)(?:[+*]|\{\d+,\d*\})/;

/** `re.search`: true/false, or undefined when the pattern is invalid or refused (both ops false). */
function regexSearch(fv: unknown, rv: unknown): boolean | undefined {
  const pattern = toText(rv);
  if (pattern.length > REGEX_MAX_PATTERN || NESTED_QUANTIFIER.test(pattern)) return undefined;
  let regex: RegExp;
  try {
    regex = new RegExp(pattern);
  } catch {
    return undefined;
  }
  return regex.test(toText(fv).slice(0, REGEX_MAX_INPUT));
}

const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/** ISO-8601 to epoch milliseconds; naive times are taken as UTC so both sides compare alike. */
function parseIsoDate(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  const match = ISO_DATETIME.exec(text);
  if (!match) return undefined;
  let normalised = text.replace(' ', 'T');
  if (!match[1] && normalised.includes('T')) normalised += 'Z';
  if (match[1] && /^[+-]\d{4}$/.test(match[1])) {
    normalised = normalised.slice(0, -2) + ':' + normalised.slice(-2);
  }
  const ms = Date.parse(normalised);
  return Number.isNaN(ms) ? undefined : ms;
}

function compareDates(fv: unknown, rv: unknown, compare: (a: number, b: number) => boolean): boolean {
  const a = parseIsoDate(fv);
  const b = parseIsoDate(rv);
  if (a === undefined || b === undefined) return false;
  return compare(a, b);
}

function compareLength(
  fv: unknown,
  rv: unknown,
  compare: (a: number, b: number) => boolean,
  otherTypes: boolean,
): boolean {
  let length: number;
  if (Array.isArray(fv)) length = fv.length;
  else if (typeof fv === 'string') length = [...fv].length;
  else return otherTypes;
  return compare(length, Math.trunc(toNumber(rv)));
}
