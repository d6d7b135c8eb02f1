/**
 * A node's stored configuration (the reference's `ComponentConfigData`): defaults, the request shape,
 * and how a request is applied to a node of a given type. `extra_config` is validated by the node
 * type's zod schema from the registry after its `configMigrations`.
 */
import { z } from 'zod';
import { AppError } from '../errors.js';
import type { NodeConfigData, NodeDescriptor } from '../nodes/define-node.js';

export const defaultNodeConfig = (): NodeConfigData => ({
  system_prompt: '',
  extra_config: {},
  llm_credential_id: null,
  model_name: '',
  temperature: null,
  max_tokens: null,
  top_p: null,
  frequency_penalty: null,
  presence_penalty: null,
  timeout: null,
  max_retries: null,
  response_format: null,
  credential_id: null,
  is_active: true,
  priority: 0,
  trigger_config: {},
});

const ZNum = z.number().nullable().optional();
const ZInt = z.number().int().nullable().optional();

/** `config` as clients send it (every key optional; unknown keys ignored). */
export const ZNodeConfigIn = z.looseObject({
  system_prompt: z.string().nullable().optional(),
  extra_config: z.record(z.string(), z.unknown()).nullable().optional(),
  llm_credential_id: ZInt,
  model_name: z.string().nullable().optional(),
  temperature: ZNum,
  max_tokens: ZInt,
  top_p: ZNum,
  frequency_penalty: ZNum,
  presence_penalty: ZNum,
  timeout: ZInt,
  max_retries: ZInt,
  response_format: z.record(z.string(), z.unknown()).nullable().optional(),
  /** Output only: derived from the incoming `llm` edge. Ignored on input. */
  llm_model_config_id: z.unknown().optional(),
  credential_id: ZInt,
  is_active: z.boolean().nullable().optional(),
  priority: z.number().int().nullable().optional(),
  trigger_config: z.record(z.string(), z.unknown()).nullable().optional(),
  /** Accepted for the reference UI; kept inside `extra_config`. */
  input_template: z.string().nullable().optional(),
});
export type TNodeConfigIn = z.infer<typeof ZNodeConfigIn>;

const MODEL_FIELDS = [
  'llm_credential_id',
  'model_name',
  'temperature',
  'max_tokens',
  'top_p',
  'frequency_penalty',
  'presence_penalty',
  'timeout',
  'max_retries',
  'response_format',
] as const;
const TRIGGER_FIELDS = ['credential_id', 'is_active', 'priority', 'trigger_config'] as const;

/** Runs the type's config migrations, then its schema; a failure is a 422 naming the field under `loc`. */
export function normalizeExtraConfig(
  descriptor: NodeDescriptor,
  raw: Record<string, unknown>,
  loc: (string | number)[] = ['body', 'config', 'extra_config'],
): Record<string, unknown> {
  let value = raw;
  for (const migrate of descriptor.configMigrations ?? []) value = migrate(value);
  const parsed = descriptor.config.safeParse(value);
  if (!parsed.success) {
    throw new AppError(
      422,
      parsed.error.issues.map((issue) => ({
        loc: [...loc, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))],
        msg: issue.message,
        type: issue.code,
      })),
      'VALIDATION',
    );
  }
  return parsed.data as Record<string, unknown>;
}

/**
 * Applies a request's `config` to a node of type `descriptor`. Model fields only count for `ai_model`,
 * trigger fields only for triggers (as the reference); `extra_config` is replaced when given, and
 * validated when given or when the node is new.
 */
export function applyNodeConfig(
  descriptor: NodeDescriptor,
  input: TNodeConfigIn | undefined,
  previous?: NodeConfigData,
  loc: (string | number)[] = ['body', 'config', 'extra_config'],
): NodeConfigData {
  const config: NodeConfigData = previous ? structuredClone(previous) : defaultNodeConfig();
  const given = input ?? {};
  if (given.system_prompt !== undefined) config.system_prompt = given.system_prompt ?? '';
  const target = config as unknown as Record<string, unknown>;
  if (descriptor.type === 'ai_model') {
    for (const key of MODEL_FIELDS) {
      const v = given[key];
      if (v !== undefined) target[key] = key === 'model_name' ? (v ?? '') : v;
    }
  }
  if (descriptor.flags.trigger) {
    if (given.credential_id !== undefined) config.credential_id = given.credential_id;
    if (given.is_active !== undefined) config.is_active = given.is_active ?? true;
    if (given.priority !== undefined) config.priority = given.priority ?? 0;
    if (given.trigger_config !== undefined) config.trigger_config = given.trigger_config ?? {};
  }
  let extra: Record<string, unknown> | undefined;
  if (given.extra_config !== undefined) extra = { ...(given.extra_config ?? {}) };
  if (given.input_template !== undefined) {
    extra = { ...(extra ?? config.extra_config), input_template: given.input_template };
  }
  if (extra !== undefined || !previous) {
    config.extra_config = normalizeExtraConfig(descriptor, extra ?? config.extra_config, loc);
  }
  return config;
}

export const MODEL_CONFIG_FIELDS = MODEL_FIELDS;
export const TRIGGER_CONFIG_FIELDS = TRIGGER_FIELDS;
