import { describe, expect, it } from 'vitest';
import { OPERATORS, type Operator } from '../nodes/rules.js';
import { getPath } from './get-path.js';
import { evaluateRule, resolveField, toNumber, toText } from './operators.js';

type Case = [operator: Operator, fieldValue: unknown, value: unknown, expected: boolean];

const cases: Case[] = [
  // universal (unary)
  ['exists', 'x', undefined, true],
  ['exists', 0, undefined, true],
  ['exists', '', undefined, true],
  ['exists', null, undefined, false],
  ['exists', undefined, undefined, false],
  ['does_not_exist', null, undefined, true],
  ['does_not_exist', undefined, undefined, true],
  ['does_not_exist', false, undefined, false],
  ['is_empty', null, undefined, true],
  ['is_empty', '', undefined, true],
  ['is_empty', [], undefined, true],
  ['is_empty', {}, undefined, true],
  ['is_empty', 0, undefined, false],
  ['is_empty', ' ', undefined, false],
  ['is_empty', [0], undefined, false],
  ['is_not_empty', { a: 1 }, undefined, true],
  ['is_not_empty', '', undefined, false],
  ['is_not_empty', undefined, undefined, false],
  // string equality on str()
  ['equals', 'abc', 'abc', true],
  ['equals', 'abc', 'ABC', false],
  ['equals', 3, '3', true],
  ['equals', 3.5, 3.5, true],
  ['equals', true, 'true', true],
  ['equals', null, '', true],
  ['equals', { a: 1 }, '{"a":1}', true],
  ['not_equals', 'a', 'b', true],
  ['not_equals', 1, '1', false],
  // contains: list membership or substring
  ['contains', 'hello world', 'lo w', true],
  ['contains', 'hello', 'xyz', false],
  ['contains', ['a', 'b'], 'b', true],
  ['contains', ['ab', 'c'], 'b', false],
  ['contains', [1, 2, 3], '3', true],
  ['contains', [1, 2, 3], 3, true],
  ['contains', 12345, '234', true],
  ['contains', null, 'x', false],
  ['not_contains', ['a'], 'b', true],
  ['not_contains', 'abc', 'b', false],
  // starts/ends
  ['starts_with', 'foobar', 'foo', true],
  ['starts_with', 'foobar', 'bar', false],
  ['starts_with', 12345, 12, true],
  ['not_starts_with', 'foobar', 'bar', true],
  ['ends_with', 'foobar', 'bar', true],
  ['ends_with', 'foobar', 'foo', false],
  ['not_ends_with', 'foobar', 'foo', true],
  ['not_ends_with', 'foobar', 'bar', false],
  // regex search
  ['matches_regex', 'order #123', '\\d+', true],
  ['matches_regex', 'order', '^\\d+$', false],
  ['matches_regex', 'abc', '[', false],
  ['matches_regex', 42, '^4', true],
  ['not_matches_regex', 'order', '\\d', true],
  ['not_matches_regex', 'order 1', '\\d', false],
  ['not_matches_regex', 'abc', '(', false],
  // numbers: float coercion, unparseable → 0
  ['gt', 5, 3, true],
  ['gt', '5.5', '5.4', true],
  ['gt', 'abc', -1, true],
  ['gt', 'abc', 0, false],
  ['gt', null, -0.5, true],
  ['gt', true, 0.5, true],
  ['gt', ' 10 ', 9, true],
  ['gt', '1e3', 999, true],
  ['gt', '10abc', 5, false],
  ['lt', 2, '10', true],
  ['lt', '2', '10', true],
  ['gte', 3, 3, true],
  ['gte', '3.0', 3, true],
  ['gte', 2.9, 3, false],
  ['lte', 3, 3, true],
  ['lte', 4, 3, false],
  ['lte', [], 0, true],
  // datetimes
  ['after', '2024-05-02T00:00:00Z', '2024-05-01T23:59:59Z', true],
  ['after', '2024-05-01', '2024-05-02', false],
  ['after', '2024-05-01T10:00:00+02:00', '2024-05-01T09:00:00Z', false],
  ['after', '2024-05-01T10:00:00+0200', '2024-05-01T07:00:00Z', true],
  ['after', '2024-05-01T10:00:00', '2024-05-01T09:00:00Z', true],
  ['after', 'not a date', '2024-05-01', false],
  ['after', '2024-05-01', 'garbage', false],
  ['after', 1714521600000, '2024-05-01', false],
  ['before', '2024-01-01T00:00:00.500Z', '2024-01-01T00:00:01Z', true],
  ['before', 'garbage', '2024-01-01', false],
  ['after_or_equal', '2024-01-01T00:00:00Z', '2024-01-01', true],
  ['after_or_equal', '2023-12-31', '2024-01-01', false],
  ['before_or_equal', '2024-01-01 00:00:00Z', '2024-01-01T00:00:00Z', true],
  ['before_or_equal', '2024-01-02', '2024-01-01', false],
  // booleans
  ['is_true', true, undefined, true],
  ['is_true', false, undefined, false],
  ['is_true', 'true', undefined, true],
  ['is_true', 'TRUE', undefined, true],
  ['is_true', '1', undefined, true],
  ['is_true', 'yes', undefined, true],
  ['is_true', 'no', undefined, false],
  ['is_true', 'false', undefined, false],
  ['is_true', 'anything', undefined, false],
  ['is_true', 1, undefined, true],
  ['is_true', 0, undefined, false],
  ['is_true', [1], undefined, true],
  ['is_true', [], undefined, false],
  ['is_true', {}, undefined, false],
  ['is_true', null, undefined, false],
  ['is_false', false, undefined, true],
  ['is_false', 'false', undefined, true],
  ['is_false', '0', undefined, true],
  ['is_false', 'yes', undefined, false],
  ['is_false', null, undefined, true],
  ['is_false', 2, undefined, false],
  // lengths: lists and strings only
  ['length_eq', [1, 2, 3], 3, true],
  ['length_eq', [1, 2, 3], '3', true],
  ['length_eq', 'abcd', 4, true],
  ['length_eq', 'héllo', 5, true],
  ['length_eq', { a: 1 }, 1, false],
  ['length_eq', 5, 1, false],
  ['length_eq', null, 0, false],
  ['length_neq', [1], 2, true],
  ['length_neq', [1], 1, false],
  ['length_neq', { a: 1 }, 1, true],
  ['length_neq', null, 0, true],
  ['length_gt', 'abc', 2, true],
  ['length_gt', [], 0, false],
  ['length_gt', 42, 0, false],
  ['length_lt', [1], 2, true],
  ['length_lt', 'ab', 'x', false],
  ['length_gte', [1, 2], 2, true],
  ['length_gte', undefined, 0, false],
  ['length_lte', '', 0, true],
  ['length_lte', 'abc', 2, false],
];

describe('evaluateRule', () => {
  it.each(cases)('%s: %j vs %j → %s', (operator, fieldValue, value, expected) => {
    expect(evaluateRule({ operator, value }, fieldValue)).toBe(expected);
  });

  it('covers every operator of the rule schema', () => {
    const tested = new Set(cases.map(([op]) => op));
    expect(OPERATORS.filter((op) => !tested.has(op))).toEqual([]);
  });

  it('defaults to equals and treats unknown operators as no match', () => {
    expect(evaluateRule({ value: 'a' } as never, 'a')).toBe(true);
    expect(evaluateRule({ operator: 'sounds_like', value: 'a' } as never, 'a')).toBe(false);
  });

  it('never throws on odd inputs', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    for (const operator of OPERATORS) {
      for (const fv of [circular, Symbol('s'), 10n, () => 1, Number.NaN, new Date(0)]) {
        expect(() => evaluateRule({ operator, value: fv }, fv)).not.toThrow();
      }
    }
  });

  it('refuses catastrophic regexes instead of hanging', () => {
    const evil = `${'a'.repeat(40)}!`;
    const started = Date.now();
    expect(evaluateRule({ operator: 'matches_regex', value: '^(a+)+$' }, evil)).toBe(false);
    expect(evaluateRule({ operator: 'not_matches_regex', value: '(a*)*b' }, evil)).toBe(false);
    expect(evaluateRule({ operator: 'matches_regex', value: '(\\w+\\s?){2,}$' }, evil)).toBe(false);
    expect(evaluateRule({ operator: 'matches_regex', value: 'x'.repeat(2000) }, 'x')).toBe(false);
    // Long inputs are cut, so a match past the bound is not seen.
    expect(evaluateRule({ operator: 'matches_regex', value: 'needle' }, `${'a'.repeat(10_000)}needle`)).toBe(
      false,
    );
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('coercions', () => {
  it.each([
    ['3.5', 3.5],
    ['-2', -2],
    ['.5', 0.5],
    ['1e2', 100],
    ['', 0],
    ['abc', 0],
    ['0x10', 0],
    ['inf', Infinity],
    [null, 0],
    [undefined, 0],
    [true, 1],
    [false, 0],
    [[1], 0],
    [Number.NaN, 0],
  ])('toNumber(%j) = %s', (input, expected) => {
    expect(toNumber(input)).toBe(expected);
  });

  it.each([
    ['x', 'x'],
    [null, ''],
    [undefined, ''],
    [1.5, '1.5'],
    [false, 'false'],
    [[1, 'a'], '[1,"a"]'],
    [{ k: null }, '{"k":null}'],
  ])('toText(%j) = %j', (input, expected) => {
    expect(toText(input)).toBe(expected);
  });
});

describe('resolveField', () => {
  const scope = {
    node_outputs: {
      agent_1: { output: 'hi', meta: { tags: ['a', 'b'] } },
      'my-node': { value: 7 },
      trigger: { shadow: true },
    },
    trigger: { text: 'hello', payload: { n: 1 } },
    loop: { item: { name: 'x' }, index: 2, total: 3 },
    route: 'left',
  };

  it.each([
    ['node_outputs.agent_1.output', 'hi'],
    ['state.node_outputs.agent_1.output', 'hi'],
    ['agent_1.output', 'hi'],
    ['agent_1.meta.tags.1', 'b'],
    ['agent_1', scope.node_outputs.agent_1],
    ['my-node.value', 7],
    ['node_outputs.my-node.value', 7],
    ['trigger.shadow', true],
    ['node_outputs', scope.node_outputs],
    ['loop.item.name', 'x'],
    ['loop.index', 2],
    ['state.route', 'left'],
    ['agent_1.missing', undefined],
    ['nobody.output', undefined],
    ['agent_1.meta.tags.9', undefined],
    ['agent_1.__proto__', undefined],
    ['agent_1.constructor', undefined],
    ['', undefined],
  ])('%s', (field, expected) => {
    expect(resolveField(field, scope)).toEqual(expected);
  });

  it('reads the trigger when no node is called trigger', () => {
    expect(resolveField('trigger.text', { node_outputs: {}, trigger: { text: 'yo' } })).toBe('yo');
    expect(resolveField('state.trigger.payload.n', { ...scope, node_outputs: {} })).toBe(1);
  });
});

describe('getPath', () => {
  const root = { a: { b: [{ c: 1 }, { c: 2 }] }, n: null };
  it.each([
    ['a.b.1.c', 2],
    ['a.b.0', { c: 1 }],
    ['', root],
    ['a.b.-1', undefined],
    ['a.b.x', undefined],
    ['n.x', undefined],
    ['a.toString', undefined],
    ['a.b.length', undefined],
    ['__proto__', undefined],
  ])('%s', (path, expected) => {
    expect(getPath(root, path)).toEqual(expected);
  });
});
