/**
 * Turns a node's stored configuration into what its `run` receives: templates rendered against the
 * execution's outputs, older config shapes migrated, then `extra_config` validated by the node type's
 * schema. Unknown variables become warnings for the node's log; a bad config fails the node clearly.
 */
import type { NodeConfigData, NodeDescriptor } from '../nodes/define-node.js';
import { renderDeep, renderTemplate } from './expressions.js';
import type { GraphNode } from './graph.js';

export class InvalidNodeConfig extends Error {
  override name = 'InvalidNodeConfig';
  readonly code = 'invalid_config';
}

export interface TemplateScope {
  outputs: Record<string, Record<string, unknown>>;
  trigger: Record<string, unknown>;
  loop?: { item: unknown; index: number; total: number };
}

export function applyConfigMigrations(
  type: NodeDescriptor,
  extra: Record<string, unknown>,
): Record<string, unknown> {
  let current = extra;
  for (const step of type.configMigrations ?? []) current = step(current);
  return current;
}

export function prepareNodeInput(type: NodeDescriptor, node: GraphNode, scope: TemplateScope) {
  const context = {
    node_outputs: scope.outputs,
    trigger: scope.trigger,
    // Webhook docs call the request body `input` (it is `trigger.payload`).
    input: scope.trigger.payload ?? scope.trigger,
    ...(scope.loop ? { loop: scope.loop } : {}),
  };
  const warnings: string[] = [];
  const prompt = renderTemplate(node.config.system_prompt ?? '', context);
  warnings.push(...prompt.warnings);
  // Code is data for the sandbox, not a template: rendering it would let outputs inject code.
  const { code, ...rest } = node.config.extra_config;
  const rendered = renderDeep(rest, context);
  warnings.push(...rendered.warnings);
  const extra = applyConfigMigrations(type, {
    ...(rendered.value as Record<string, unknown>),
    ...(code === undefined ? {} : { code }),
  });
  const parsed = type.config.safeParse(extra);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidNodeConfig(
      `Invalid config: extra_config.${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
  }
  const nodeConfig: NodeConfigData = {
    ...node.config,
    system_prompt: prompt.value,
    extra_config: parsed.data as Record<string, unknown>,
  };
  return { config: parsed.data, nodeConfig, warnings };
}
