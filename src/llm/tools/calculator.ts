/**
 * `calculate(expression)`: safe arithmetic with a small recursive-descent parser — numbers,
 * + - * / // % **, unary minus/plus and parentheses. No eval, no names, no calls.
 */
import { type AgentTool, obj, type ToolFactory } from './types.js';

export class CalcError extends Error {}

export function evaluateArithmetic(expression: string): number {
  const tokens = expression.match(/\d+\.?\d*(?:e[+-]?\d+)?|\.\d+|\*\*|\/\/|[-+*/%()]|\S/gi) ?? [];
  let pos = 0;
  const peek = () => tokens[pos];
  const take = () => tokens[pos++];
  if (tokens.length === 0) throw new CalcError('empty expression');
  if (tokens.length > 500) throw new CalcError('expression too long');

  // expr := term (('+'|'-') term)*
  function expr(): number {
    let v = term();
    while (peek() === '+' || peek() === '-') v = take() === '+' ? v + term() : v - term();
    return v;
  }
  // term := unary (('*'|'/'|'//'|'%') unary)*
  function term(): number {
    let v = unary();
    for (;;) {
      const op = peek();
      if (op !== '*' && op !== '/' && op !== '//' && op !== '%') return v;
      take();
      const r = unary();
      if ((op === '/' || op === '//' || op === '%') && r === 0) throw new CalcError('division by zero');
      if (op === '*') v *= r;
      else if (op === '/') v /= r;
      else if (op === '//') v = Math.floor(v / r);
      else v = v - r * Math.floor(v / r); // Python-style modulo
    }
  }
  // unary := ('-'|'+') unary | power
  function unary(): number {
    if (peek() === '-') {
      take();
      return -unary();
    }
    if (peek() === '+') {
      take();
      return unary();
    }
    return power();
  }
  // power := atom ('**' unary)?   (right-associative, binds tighter than unary on its left)
  function power(): number {
    const base = atom();
    if (peek() === '**') {
      take();
      const exp = unary();
      if (Math.abs(exp) > 10_000) throw new CalcError('exponent too large');
      return base ** exp;
    }
    return base;
  }
  function atom(): number {
    const t = take();
    if (t === undefined) throw new CalcError('unexpected end of expression');
    if (t === '(') {
      const v = expr();
      if (take() !== ')') throw new CalcError('missing )');
      return v;
    }
    if (/^(\d|\.\d)/.test(t)) return Number(t);
    throw new CalcError(`unexpected '${t}'`);
  }
  const value = expr();
  if (pos < tokens.length) throw new CalcError(`unexpected '${tokens[pos]}'`);
  if (!Number.isFinite(value)) throw new CalcError('result is not a finite number');
  return value;
}

export const calculatorTool: ToolFactory = (b): AgentTool[] => [
  {
    name: 'calculate',
    description: 'Evaluate an arithmetic expression (+ - * / // % ** and parentheses) and return the result.',
    parameters: obj({ expression: { type: 'string', description: 'e.g. (2 + 3) * 4 ** 2' } }, ['expression']),
    nodeId: b.toolNode.nodeId,
    async execute(args) {
      try {
        const v = evaluateArithmetic(String(args.expression ?? ''));
        return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(15)));
      } catch (err) {
        return `Error: ${(err as Error).message}`;
      }
    },
  },
];
