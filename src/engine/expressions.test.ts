import { describe, expect, it } from 'vitest';
import {
  ExpressionError,
  getPath,
  isTemplate,
  renderDeep,
  renderTemplate,
  resolveValue,
  type TemplateContext,
} from './expressions.js';

const context: TemplateContext = {
  node_outputs: {
    code_1: { output: { items: [1, 2, 3], name: 'Ada' } },
    agent_1: { output: 'hello world' },
    categorizer_1: { category: 'billing' },
    'my-node': { x: 42 },
    gen: { items: ['a', 'b'], count: 2, ok: true },
  },
  trigger: { text: 'hi there', chat_id: 7, payload: { n: 1 } },
};

const render = (template: string, ctx: TemplateContext = context) => renderTemplate(template, ctx);

describe('renderTemplate', () => {
  it.each([
    ['{{ agent_1.output | upper }}', 'HELLO WORLD'],
    ['{{ categorizer_1.category }}', 'billing'],
    ['{{ trigger.text }}', 'hi there'],
    ['{{ input.text }}', 'hi there'],
    ['{{ trigger.payload.n + 1 }}', '2'],
    ["{{ 'yes' if agent_1.output else 'no' }}", 'yes'],
    ["{{ node_outputs['my-node'].x }}", '42'],
    ['{{ node_outputs.code_1.output.name }}', 'Ada'],
    ['{{ code_1.output.items[1] }}', '2'],
    ['{% for i in code_1.output.items %}{{ i }},{% endfor %}', '1,2,3,'],
    ['{{ code_1.output.items | length }}', '3'],
    ['{{ code_1.output.items | join("-") }}', '1-2-3'],
    ['Name: {{ code_1.output.name }}!', 'Name: Ada!'],
    ['{% if trigger.chat_id > 5 %}big{% else %}small{% endif %}', 'big'],
    ['{{ missing | default("fallback") }}', 'fallback'],
    ['{% if missing is defined %}yes{% else %}no{% endif %}', 'no'],
    ['{{ range(3) | join(",") }}', '0,1,2'],
  ])('%s → %s', (template, expected) => {
    const out = render(template);
    expect(out.value).toBe(expected);
    expect(out.warnings).toEqual([]);
  });

  it('returns strings without template syntax unchanged (fast path)', () => {
    expect(render('plain { text } with } braces')).toEqual({
      value: 'plain { text } with } braces',
      warnings: [],
    });
    expect(isTemplate('a {{ b }}')).toBe(true);
    expect(isTemplate('a {% if %}')).toBe(true);
    expect(isTemplate('a { b }')).toBe(false);
  });

  it('renders objects and lists as JSON, not [object Object]', () => {
    const out = render('{{ code_1.output }}');
    expect(JSON.parse(out.value)).toEqual({ items: [1, 2, 3], name: 'Ada' });
    expect(JSON.parse(render('{{ code_1.output.items }}').value)).toEqual([1, 2, 3]);
    expect(render('{{ code_1.output | tojson }}').value).not.toContain('[object');
  });

  it('exposes loop variables inside loops', () => {
    const out = render('{{ loop.index }}/{{ loop.total }}: {{ loop.item.name }}', {
      ...context,
      loop: { item: { name: 'x' }, index: 0, total: 2 },
    });
    expect(out.value).toBe('0/2: x');
  });

  it('renders missing references as empty and warns, naming them', () => {
    const out = render('Hello {{ foo.bar }}!');
    expect(out.value).toBe('Hello !');
    expect(out.warnings).toEqual([`"{{ foo.bar }}": 'foo' is undefined`]);

    const attr = render('[{{ agent_1.nope }}]');
    expect(attr.value).toBe('[]');
    expect(attr.warnings).toEqual([`"{{ agent_1.nope }}": 'agent_1' has no attribute 'nope'`]);

    const index = render(`{{ node_outputs['ghost'].x }}`);
    expect(index.value).toBe('');
    expect(index.warnings[0]).toContain(`'node_outputs' has no attribute 'ghost'`);
  });

  it('lets missing values flow through filters, operators and loops as empty', () => {
    expect(render('{{ ghost.output | upper }}')).toEqual({
      value: '',
      warnings: [`"{{ ghost.output | upper }}": 'ghost' is undefined`],
    });
    expect(render('{{ ghost ~ "x" }}').value).toBe('');
    expect(render('{% for x in ghost %}{{ x }}{% else %}none{% endfor %}').value).toBe('none');
    expect(render('{% if ghost %}a{% else %}b{% endif %}').value).toBe('b');
    expect(render('{% if ghost %}a{% endif %}').warnings).toHaveLength(1);
  });

  it('throws ExpressionError with a clear message on syntax errors', () => {
    expect(() => render('{{ agent_1.output ')).toThrow(ExpressionError);
    expect(() => render('{% if x %}unclosed')).toThrow(/syntax error/i);
    try {
      render('{{ 1 + }}');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ExpressionError);
      expect((error as ExpressionError).template).toBe('{{ 1 + }}');
    }
  });

  it('throws ExpressionError on runtime errors', () => {
    expect(() => render('{{ agent_1.output.foo() }}')).toThrow(ExpressionError);
    expect(() => render('{{ 1 / "a" }}')).toThrow(ExpressionError);
  });

  it('does not let {% set %} leak between renders', () => {
    expect(render('{% set x = 5 %}{{ x }}').value).toBe('5');
    expect(render('{{ x }}').warnings).toHaveLength(1);
  });
});

describe('renderDeep', () => {
  it('renders every string, recursing into objects and arrays, without mutating the input', () => {
    const config = {
      system_prompt: 'You help {{ trigger.text }}',
      nested: { list: ['{{ gen.count }}', 3, null, { deep: '{{ agent_1.output | title }}' }], flag: true },
      untouched: 12,
    };
    const copy = structuredClone(config);
    const out = renderDeep(config, context);
    expect(out.value).toEqual({
      system_prompt: 'You help hi there',
      nested: { list: ['2', 3, null, { deep: 'Hello World' }], flag: true },
      untouched: 12,
    });
    expect(out.warnings).toEqual([]);
    expect(config).toEqual(copy);
  });

  it('collects warnings from all strings', () => {
    const out = renderDeep({ a: '{{ x1 }}', b: ['{{ x2 }}'] }, context);
    expect(out.value).toEqual({ a: '', b: [''] });
    expect(out.warnings).toHaveLength(2);
  });
});

describe('resolveValue', () => {
  it('returns raw values for a single whole expression', () => {
    expect(resolveValue('{{ gen.items }}', context).value).toEqual(['a', 'b']);
    expect(resolveValue('  {{ gen.count }} ', context).value).toBe(2);
    expect(resolveValue('{{ gen.ok }}', context).value).toBe(true);
    expect(resolveValue('{{ code_1.output }}', context).value).toEqual({ items: [1, 2, 3], name: 'Ada' });
    expect(resolveValue('{{ agent_1.output }}', context).value).toBe('hello world');
    expect(resolveValue('{{ code_1.output.items | length }}', context).value).toBe(3);
  });

  it('renders text around the expression as a string, and passes non-strings through', () => {
    expect(resolveValue('n={{ gen.count }}', context).value).toBe('n=2');
    expect(resolveValue('{{ gen.count }}{{ gen.count }}', context).value).toBe('22');
    expect(resolveValue(['x'], context).value).toEqual(['x']);
    expect(resolveValue('plain', context).value).toBe('plain');
  });

  it('returns null and a warning for a missing whole value', () => {
    const out = resolveValue('{{ gen.nothing }}', context);
    expect(out.value).toBeNull();
    expect(out.warnings).toEqual([`"{{ gen.nothing }}": 'gen' has no attribute 'nothing'`]);
  });
});

describe('getPath', () => {
  it('reads dotted paths with array indices', () => {
    expect(getPath({ a: { b: [{ c: 'x' }] } }, 'a.b.0.c')).toBe('x');
    expect(getPath({ a: 1 }, 'a.b')).toBeUndefined();
  });
});

describe('escape attempts stay inert', () => {
  const sentinel = 'pipelit-sentinel';
  (globalThis as Record<string, unknown>).__pipelitSentinel = sentinel;

  const payloads = [
    "{{ ''.constructor.constructor('return process')() }}",
    "{{ ''.constructor }}",
    '{{ x.__proto__ }}',
    '{{ code_1.__proto__ }}',
    '{{ code_1.output.constructor }}',
    "{{ code_1['__proto__'] }}",
    '{{ cycler.__init__.__globals__ }}',
    '{{ self.__init__.__globals__.os }}',
    '{{ process }}',
    '{{ process.env }}',
    '{{ require }}',
    "{{ require('fs') }}",
    '{{ globalThis }}',
    '{{ globalThis.__pipelitSentinel }}',
    '{{ this }}',
    '{{ range.constructor }}',
    '{{ namespace.constructor }}',
    '{{ range }}',
    '{{ joiner }}',
    '{% set x = namespace() %}{{ x.__class__ }}',
    '{{ [].__class__.__base__.__subclasses__() }}',
    "{{ ''.__class__.__mro__ }}",
    '{{ lipsum.__globals__ }}',
  ];

  it.each(payloads)('%s', (payload) => {
    let output = '';
    try {
      output = render(payload).value;
    } catch (error) {
      expect(error).toBeInstanceOf(ExpressionError);
      output = (error as Error).message;
    }
    expect(output).not.toMatch(/\[object|function |=>|process\.|versions|NODE_|PATH=|pipelit-sentinel/);
    expect(output.length).toBeLessThan(500);
    expect((globalThis as Record<string, unknown>).__pipelitSentinel).toBe(sentinel);
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('polluted');
  });

  it('does not let node output keys like __proto__ pollute prototypes', () => {
    const evil = JSON.parse('{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"p": 1}}}');
    const out = render('{{ evil.__proto__.polluted }}-{{ evil.constructor.prototype.p }}', {
      node_outputs: { evil },
    });
    expect(out.value).toBe('yes-1');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).p).toBeUndefined();
  });

  it('refuses huge ranges and long loops', () => {
    const started = Date.now();
    expect(() => render('{{ range(10**9) }}')).toThrow(ExpressionError);
    expect(() => render('{{ range(100001) | length }}')).toThrow(/budget/);
    expect(render('{{ range(100000) | length }}').value).toBe('100000');
    expect(() =>
      render('{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}'),
    ).toThrow(/longer than/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('refuses outputs over the size budget', () => {
    const big = { node_outputs: { n: { s: 'x'.repeat(100_000) } } };
    expect(() => renderTemplate('{% for i in range(20) %}{{ n.s }}{% endfor %}', big)).toThrow(/larger than/);
    expect(() =>
      render(
        '{% set ns = namespace(s="ab") %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}',
      ),
    ).toThrow(/budget/);
    expect(() =>
      render(
        '{% set ns = namespace(l=[1]) %}{% for i in range(40) %}{% set ns.l = ns.l + ns.l %}{% endfor %}',
      ),
    ).toThrow(/budget/);
    expect(() => render('{{ agent_1.output | indent(100000000) }}')).toThrow(/width/);
  });

  it('turns runaway recursion into an ExpressionError', () => {
    expect(() => render('{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}')).toThrow(ExpressionError);
  });
});
