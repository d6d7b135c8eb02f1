import { describe, expect, it } from 'vitest';
import { evaluateArithmetic } from './calculator.js';

describe('calculator', () => {
  it.each([
    ['1 + 2 * 3', 7],
    ['(2 + 3) * 4 ** 2', 80],
    ['-2 ** 2', -4],
    ['2 ** -1', 0.5],
    ['7 // 2', 3],
    ['-7 // 2', -4],
    ['-7 % 3', 2],
    ['10 / 4', 2.5],
    ['.5 + 1.5e1', 15.5],
  ])('%s = %s', (expr, value) => {
    expect(evaluateArithmetic(expr)).toBe(value);
  });

  it.each(['', '1 +', 'process.exit()', '1 / 0', '(1', 'x', '2 ** 99999'])('rejects %j', (expr) => {
    expect(() => evaluateArithmetic(expr)).toThrow();
  });
});
