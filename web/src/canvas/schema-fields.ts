/** Reads a JSON Schema property into the kind of form control that edits it. */
import type { JsonSchema } from '../api/types';

export type FieldKind =
  | { kind: 'string'; multiline: boolean }
  | { kind: 'number'; integer: boolean }
  | { kind: 'boolean' }
  | { kind: 'enum'; options: string[] }
  | { kind: 'string-list' }
  | { kind: 'object-list'; item: Record<string, JsonSchema> }
  | { kind: 'json' };

const MULTILINE = /code|prompt|template|message|expression|body|description|text/i;

/** Drops `null` alternatives (`anyOf: [X, {type:null}]`) so optional fields read as their real type. */
export function unwrap(schema: JsonSchema): JsonSchema {
  const alts = schema.anyOf ?? schema.oneOf;
  if (!alts) return schema;
  const real = alts.filter((a) => a.type !== 'null');
  if (real.length === 1)
    return {
      ...real[0],
      default: schema.default ?? real[0].default,
      description: schema.description ?? real[0].description,
    };
  if (real.every((a) => 'const' in a)) return { ...schema, anyOf: undefined, enum: real.map((a) => a.const) };
  return schema;
}

function isSimple(schema: JsonSchema): boolean {
  const s = unwrap(schema);
  return ['string', 'number', 'integer', 'boolean'].includes(String(s.type)) || Array.isArray(s.enum);
}

export function fieldKind(name: string, raw: JsonSchema): FieldKind {
  const s = unwrap(raw);
  if (Array.isArray(s.enum) && s.enum.every((v) => typeof v === 'string')) {
    return { kind: 'enum', options: s.enum as string[] };
  }
  switch (s.type) {
    case 'string':
      return { kind: 'string', multiline: MULTILINE.test(name) };
    case 'number':
      return { kind: 'number', integer: false };
    case 'integer':
      return { kind: 'number', integer: true };
    case 'boolean':
      return { kind: 'boolean' };
    case 'array': {
      const item = s.items ? unwrap(s.items) : undefined;
      if (item?.type === 'string') return { kind: 'string-list' };
      if (item?.type === 'object' && item.properties && Object.values(item.properties).every(isSimple)) {
        return { kind: 'object-list', item: item.properties };
      }
      return { kind: 'json' };
    }
    default:
      return { kind: 'json' };
  }
}

/** A field's title: the schema's, else the key with underscores as spaces. */
export function titleOf(name: string, schema: JsonSchema): string {
  if (typeof schema.title === 'string') return schema.title;
  const text = name.replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}
