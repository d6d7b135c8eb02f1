/**
 * Jinja templates in node config (`{{ agent_1.output | upper }}`), rendered by `@huggingface/jinja`:
 * a tree-walking interpreter that only reads its own Map-based values, so templates never reach host
 * objects, prototypes or `eval`. On top of it this module adds what the engine needs:
 *
 * - missing references render as empty text plus a warning naming them (never silently kept);
 * - syntax and runtime errors become `ExpressionError` (the engine fails the node);
 * - a work budget (time, output size, list size, `range()` length) so templates cannot hang or
 *   exhaust the process;
 * - `resolveValue` for "whole value" fields where `{{ gen.items }}` should stay a list.
 */
import * as jinja from '@huggingface/jinja';

export { getPath } from './get-path.js';

/** Variables a template can see. Node outputs are also exposed by node id at the top level. */
export interface TemplateContext {
  node_outputs?: Record<string, unknown>;
  /** The execution's trigger payload. */
  trigger?: unknown;
  /** What `input` means in templates (a webhook's request body); defaults to the trigger payload. */
  input?: unknown;
  /** `{ item, index, total }` inside a loop body. */
  loop?: unknown;
}

/** Limits for one render. */
export interface RenderLimits {
  /** Wall-clock budget per template. @defaultValue 500 */
  timeBudgetMs?: number;
  /** Largest string a template may produce. @defaultValue 1_000_000 */
  maxOutputChars?: number;
  /** Largest list a template may build (including `range()`). @defaultValue 100_000 */
  maxItems?: number;
}

/** A template that cannot be parsed, fails at runtime, or exceeds its budget. */
export class ExpressionError extends Error {
  override name = 'ExpressionError';
  constructor(
    message: string,
    readonly template: string,
  ) {
    super(message);
  }
}

/** Result of a render: the value plus warnings (missing references) for the node's log. */
export interface Rendered<T> {
  value: T;
  warnings: string[];
}

const DEFAULT_LIMITS: Required<RenderLimits> = {
  timeBudgetMs: 500,
  maxOutputChars: 1_000_000,
  maxItems: 100_000,
};
const MAX_WARNINGS = 20;
/** Numeric filter arguments (indent width, tojson indent) larger than this are refused. */
const MAX_PAD = 100;
const RESERVED = new Set(['node_outputs', 'trigger', 'input', 'loop']);

/**
 * Renders one template string.
 *
 * Strings without `{{` or `{%` are returned unchanged. Objects and lists render as JSON text.
 *
 * @throws ExpressionError on syntax errors, runtime errors or an exceeded budget.
 */
export function renderTemplate(
  template: string,
  context: TemplateContext,
  limits?: RenderLimits,
): Rendered<string> {
  return renderWith(template, contextEnvironment(context), limits);
}

function renderWith(template: string, contextEnv: Environment, limits?: RenderLimits): Rendered<string> {
  if (!isTemplate(template)) return { value: template, warnings: [] };
  const program = parseCached(template);
  const run = new BudgetedInterpreter(template, contextEnv, limits);
  const result = run.execute(() => run.evaluate(program, run.global));
  return { value: String(result.value), warnings: run.warnings };
}

/**
 * Renders every string inside a value, recursing into objects and arrays. Non-strings are copied
 * unchanged; the input is never modified.
 *
 * @throws ExpressionError from the first failing string.
 */
export function renderDeep(
  value: unknown,
  context: TemplateContext,
  limits?: RenderLimits,
): Rendered<unknown> {
  const warnings: string[] = [];
  let contextEnv: Environment | undefined;
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') {
      if (!isTemplate(node)) return node;
      contextEnv ??= contextEnvironment(context);
      const rendered = renderWith(node, contextEnv, limits);
      warnings.push(...rendered.warnings);
      return rendered.value;
    }
    if (Array.isArray(node)) return node.map(walk);
    if (node !== null && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(node)) out[key] = walk(child);
      return out;
    }
    return node;
  };
  return { value: walk(value), warnings };
}

/**
 * "Whole value" resolution: when `expr` is exactly one `{{ ... }}` tag, returns the raw result (list,
 * object, number, boolean, string; `null` with a warning when missing). Anything else is rendered
 * as text like `renderTemplate`; non-strings are returned unchanged.
 *
 * @throws ExpressionError as `renderTemplate`.
 */
export function resolveValue(
  expr: unknown,
  context: TemplateContext,
  limits?: RenderLimits,
): Rendered<unknown> {
  if (typeof expr !== 'string') return { value: expr, warnings: [] };
  const whole = /^\s*\{\{-?([\s\S]*?)-?\}\}\s*$/.exec(expr);
  if (!whole || whole[1].includes('{{') || whole[1].includes('}}'))
    return renderTemplate(expr, context, limits);
  const program = parseCached(expr.trim());
  const statement = program.body[0];
  if (program.body.length !== 1 || !statement) return renderTemplate(expr, context, limits);
  const run = new BudgetedInterpreter(expr, contextEnvironment(context), limits);
  const result = run.execute(() => run.evaluate(statement, run.global));
  return { value: toPlain(result), warnings: run.warnings };
}

/** True when a string contains template syntax (the fast path skips everything else). */
export function isTemplate(text: string): boolean {
  return text.includes('{{') || text.includes('{%');
}

// ---------------------------------------------------------------------------------------------
// Internals. The library does not export its runtime value classes, so values are recognised by
// their `type` tag and created through the interpreter itself.

// The package's .d.ts files use extensionless relative imports that NodeNext resolution cannot
// follow, so the few parts used here are typed locally.
interface Statement {
  type: string;
}
interface Program extends Statement {
  body: Statement[];
}
/** A runtime value: `type` tag (`StringValue`, `ArrayValue`, `UndefinedValue`...) and payload. */
interface Value {
  type: string;
  value: any;
}
type Node = Statement & Record<string, any>;
interface Environment {
  variables: Map<string, Value>;
  set(name: string, value: unknown): Value;
}
interface InterpreterInstance {
  global: Environment;
  evaluate(statement: Statement | undefined, environment: Environment): Value;
}
const Environment = jinja.Environment as unknown as new (parent?: Environment) => Environment;
const Interpreter = jinja.Interpreter as unknown as new (env?: Environment) => InterpreterInstance;
const tokenize = jinja.tokenize as unknown as (
  source: string,
  options: { lstrip_blocks?: boolean; trim_blocks?: boolean },
) => unknown;
const parse = jinja.parse as unknown as (tokens: unknown) => Program;

const parseCache = new Map<string, Program>();
const PARSE_CACHE_SIZE = 1000;

function parseCached(template: string): Program {
  const hit = parseCache.get(template);
  if (hit) return hit;
  let program: Program;
  try {
    program = parse(tokenize(template, { lstrip_blocks: true, trim_blocks: true }));
  } catch (error) {
    throw new ExpressionError(`Template syntax error: ${errorMessage(error)}`, template);
  }
  if (parseCache.size >= PARSE_CACHE_SIZE) parseCache.delete(parseCache.keys().next().value as string);
  parseCache.set(template, program);
  return program;
}

/** Converts a JS value to a runtime value (the library only exposes this through `Environment.set`). */
function toRuntime(value: unknown): Value {
  return new Environment().set('v', toJsonSafe(value));
}

/** Only JSON data enters templates: functions, symbols and class instances never do. */
function toJsonSafe(value: unknown): unknown {
  if (value === undefined || value === null) return value;
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return value;
    case 'bigint':
      return Number(value);
    case 'object':
      if (Array.isArray(value)) return value.map(toJsonSafe);
      if (value instanceof Date) return value.toISOString();
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonSafe(v)]));
    default:
      return undefined;
  }
}

/**
 * Variables map that converts context entries on first use, so a template that reads one node
 * output does not pay for converting all of them.
 */
class LazyVariables extends Map<string, Value> {
  constructor(private readonly source: Record<string, unknown>) {
    super();
  }
  override has(name: string): boolean {
    if (super.has(name)) return true;
    if (!Object.hasOwn(this.source, name)) return false;
    super.set(name, toRuntime(this.source[name]));
    return true;
  }
  override get(name: string): Value | undefined {
    return this.has(name) ? super.get(name) : undefined;
  }
}

const globalsCache: { env?: Environment } = {};

/** Globals: booleans/none in both cases and a bounded `range` (installed per interpreter). */
function globalEnvironment(): Environment {
  if (globalsCache.env) return globalsCache.env;
  const env = new Environment();
  for (const [name, value] of [
    ['true', true],
    ['false', false],
    ['none', null],
    ['True', true],
    ['False', false],
    ['None', null],
  ] as const) {
    env.set(name, value);
  }
  globalsCache.env = env;
  return env;
}

function contextEnvironment(context: TemplateContext): Environment {
  const outputs = context.node_outputs ?? {};
  const source: Record<string, unknown> = {};
  for (const key of Object.keys(outputs)) {
    if (!RESERVED.has(key)) source[key] = outputs[key];
  }
  source.node_outputs = outputs;
  source.trigger = context.trigger ?? {};
  source.input = context.input ?? context.trigger ?? {};
  if (context.loop !== undefined) source.loop = context.loop;
  const env = new Environment(globalEnvironment());
  env.variables = new LazyVariables(source);
  return env;
}

/** Runtime value → plain JS (lists stay lists, objects objects). */
function toPlain(value: Value): unknown {
  switch (value.type) {
    case 'UndefinedValue':
    case 'NullValue':
      return null;
    case 'ArrayValue':
    case 'TupleValue':
      return (value.value as Value[]).map(toPlain);
    case 'ObjectValue':
    case 'NamespaceValue':
    case 'KeywordArgumentsValue': {
      const out: Record<string, unknown> = {};
      for (const [key, child] of value.value as Map<string, Value>) out[key] = toPlain(child);
      return out;
    }
    case 'FunctionValue':
      return null;
    default:
      return value.value;
  }
}

/** The accessed property of a member node (`x` in `a.x`, `a['x']`, `0` in `a[0]`). */
function propertyName(node: Node): string {
  const prop = node.property as Node;
  return prop.type === 'Identifier' || prop.type === 'StringLiteral' || prop.type === 'IntegerLiteral'
    ? String(prop.value)
    : '...';
}

/** Readable path of an Identifier/MemberExpression node, e.g. `node_outputs['my-node'].x`. */
function describePath(node: Node | undefined): string {
  if (!node) return '?';
  if (node.type === 'Identifier') return node.value;
  if (node.type === 'MemberExpression') {
    const base = describePath(node.object);
    const prop = node.property as Node;
    if (!node.computed && prop.type === 'Identifier') return `${base}.${prop.value}`;
    if (prop.type === 'StringLiteral') return `${base}['${prop.value}']`;
    if (prop.type === 'IntegerLiteral') return `${base}[${prop.value}]`;
    return `${base}[...]`;
  }
  return node.type;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Raised inside the interpreter when a budget is exceeded; never caught by template code. */
class BudgetExceeded extends Error {}

/**
 * The library interpreter with hooks in `evaluate`: it records undefined references, lets missing
 * values flow through filters/operators as empty, and enforces the work budget.
 */
class BudgetedInterpreter extends Interpreter {
  readonly warnings: string[] = [];
  private readonly limits: Required<RenderLimits>;
  private readonly deadline: number;
  private steps = 0;
  /** Depth of `is defined` / `| default` evaluation, where missing values are expected. */
  private quiet = 0;
  /** Values already computed for a child node, handed back when the library evaluates it. */
  private readonly preset = new Map<Statement, Value>();
  /** Identifier/member nodes whose latest evaluation was undefined (to warn once per chain). */
  private readonly missing = new Set<Statement>();

  constructor(
    private readonly template: string,
    contextEnv: Environment,
    limits: RenderLimits = {},
  ) {
    const env = new Environment(contextEnv);
    super(env);
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    this.deadline = Date.now() + this.limits.timeBudgetMs;
    const maxItems = this.limits.maxItems;
    env.set('range', (start: unknown, stop?: unknown, step?: unknown) =>
      boundedRange(start, stop, step, maxItems),
    );
  }

  /** Runs the evaluation and maps every failure to an `ExpressionError`. */
  execute(fn: () => Value): Value {
    try {
      return fn();
    } catch (error) {
      if (error instanceof ExpressionError) throw error;
      const notes = this.warnings.length ? ` (${this.warnings.join('; ')})` : '';
      const prefix = error instanceof BudgetExceeded ? 'Template exceeds its budget' : 'Template error';
      throw new ExpressionError(`${prefix}: ${errorMessage(error)}${notes}`, this.template);
    }
  }

  override evaluate(statement: Statement | undefined, environment: Environment): Value {
    if (statement && this.preset.has(statement)) {
      const value = this.preset.get(statement)!;
      this.preset.delete(statement);
      return value;
    }
    const node = statement as Node | undefined;
    this.tick(node?.type === 'For' || node?.type === 'CallExpression');
    let result: Value;
    switch (node?.type) {
      case 'TestExpression':
        result = ['defined', 'undefined'].includes(node.test.value)
          ? this.quietly(() => super.evaluate(statement, environment))
          : super.evaluate(statement, environment);
        break;
      case 'FilterExpression':
        result = this.evaluateFilter(node, environment);
        break;
      case 'BinaryExpression':
        result = this.evaluateBinary(node, environment);
        break;
      case 'For':
        result = this.evaluateForLoop(node, environment);
        break;
      default:
        result = super.evaluate(statement, environment);
    }
    if (node && (node.type === 'Identifier' || node.type === 'MemberExpression'))
      this.noteMissing(node, result);
    return this.checkSize(result);
  }

  /** Counts work; the clock is read every 256 steps, or at once for `force` (loops, calls). */
  private tick(force = false): void {
    this.steps++;
    if ((force || (this.steps & 255) === 0) && Date.now() > this.deadline) {
      throw new BudgetExceeded(`rendering took longer than ${this.limits.timeBudgetMs} ms`);
    }
  }

  private checkSize(result: Value): Value {
    if (result.type === 'StringValue' && (result.value as string).length > this.limits.maxOutputChars) {
      throw new BudgetExceeded(`output is larger than ${this.limits.maxOutputChars} characters`);
    }
    if (
      (result.type === 'ArrayValue' || result.type === 'TupleValue') &&
      (result.value as Value[]).length > this.limits.maxItems
    ) {
      throw new BudgetExceeded(`a list is longer than ${this.limits.maxItems} items`);
    }
    if (result.type === 'FunctionValue' && !Object.hasOwn(result, 'toString')) {
      // Printing a function would show library source; show a marker instead.
      Object.defineProperty(result, 'toString', { value: () => '<function>' });
    }
    return result;
  }

  private quietly(fn: () => Value): Value {
    this.quiet++;
    try {
      return fn();
    } finally {
      this.quiet--;
    }
  }

  private noteMissing(node: Node, result: Value): void {
    if (result.type !== 'UndefinedValue') {
      this.missing.delete(node);
      return;
    }
    const alreadyReported = node.type === 'MemberExpression' && this.missing.has(node.object);
    this.missing.add(node);
    if (alreadyReported || this.quiet > 0) return;
    const what =
      node.type === 'Identifier'
        ? `'${node.value}' is undefined`
        : `'${describePath(node.object)}' has no attribute '${propertyName(node)}'`;
    this.warn(what, node.type === 'Identifier' ? node.value : rootName(node));
  }

  private warn(what: string, root: string): void {
    if (this.warnings.length >= MAX_WARNINGS) return;
    const tag = findTag(this.template, root);
    const message = tag ? `"${tag}": ${what}` : what;
    if (!this.warnings.includes(message)) this.warnings.push(message);
  }

  /** Filters on a missing value yield missing (rendered empty, already warned); `default` is quiet. */
  private evaluateFilter(node: Node, environment: Environment): Value {
    const filter = node.filter as Node;
    const name = filter.type === 'Identifier' ? filter.value : (filter.callee as Node | undefined)?.value;
    if (name === 'default' || name === 'd') return this.quietly(() => super.evaluate(node, environment));
    if ((name === 'indent' || name === 'tojson' || name === 'center') && filter.type === 'CallExpression') {
      for (const arg of filter.args as Node[]) {
        const value = this.evaluate(arg.type === 'KeywordArgumentExpression' ? arg.value : arg, environment);
        if (typeof value.value === 'number' && Math.abs(value.value) > MAX_PAD) {
          throw new BudgetExceeded(`${name}() width above ${MAX_PAD}`);
        }
      }
    }
    const operand = this.evaluate(node.operand, environment);
    if (operand.type === 'UndefinedValue') return operand;
    this.preset.set(node.operand, operand);
    return super.evaluate(node, environment);
  }

  /** Arithmetic/concatenation with a missing side yields missing instead of a runtime error. */
  private evaluateBinary(node: Node, environment: Environment): Value {
    const op = node.operator.value as string;
    if (['and', 'or', '==', '!=', 'in', 'not in'].includes(op)) return super.evaluate(node, environment);
    const left = this.evaluate(node.left, environment);
    const right = this.evaluate(node.right, environment);
    if (left.type === 'UndefinedValue') return left;
    if (right.type === 'UndefinedValue') return right;
    this.preset.set(node.left, left);
    this.preset.set(node.right, right);
    return super.evaluate(node, environment);
  }

  /** `{% for x in missing %}` iterates nothing (and runs the `else` block). */
  private evaluateForLoop(node: Node, environment: Environment): Value {
    const iterableNode = (
      node.iterable.type === 'SelectExpression' ? node.iterable.lhs : node.iterable
    ) as Node;
    const iterable = this.evaluate(iterableNode, environment);
    const value =
      iterable.type === 'UndefinedValue' || iterable.type === 'NullValue'
        ? super.evaluate({ type: 'ArrayLiteral', value: [] } as unknown as Statement, environment)
        : iterable;
    this.preset.set(iterableNode, value);
    return super.evaluate(node, environment);
  }
}

function rootName(node: Node): string {
  let current = node;
  while (current.type === 'MemberExpression') current = current.object;
  return current.type === 'Identifier' ? current.value : '';
}

/** The `{{ ... }}` / `{% ... %}` tag that mentions `name`, for warnings that point at the source. */
function findTag(template: string, name: string): string | undefined {
  if (!name) return undefined;
  const word = new RegExp(`(^|[^\\w])${name.replace(/[^\w]/g, '\\$&')}([^\\w]|$)`);
  for (const match of template.matchAll(/\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g)) {
    if (word.test(match[0])) return match[0].length > 200 ? `${match[0].slice(0, 200)}…` : match[0];
  }
  return undefined;
}

function boundedRange(start: unknown, stop: unknown, step: unknown, maxItems: number): number[] {
  let from = Number(start);
  let to = stop === undefined || stop === null ? Number.NaN : Number(stop);
  if (Number.isNaN(to)) {
    to = from;
    from = 0;
  }
  const by = step === undefined || step === null ? 1 : Number(step);
  if (![from, to, by].every(Number.isFinite)) throw new Error('range() arguments must be numbers');
  if (by === 0) throw new Error('range() step must not be zero');
  const count = Math.max(0, Math.ceil((to - from) / by));
  if (count > maxItems) throw new BudgetExceeded(`range() of ${count} items exceeds ${maxItems}`);
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(from + i * by);
  return out;
}
