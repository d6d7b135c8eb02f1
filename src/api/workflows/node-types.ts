/** `GET /api/v1/workflows/node-types/`: the registry as the reference's `NodeTypeSpec` map. */
import { z } from 'zod';
import type { NodeDescriptor } from '../../nodes/define-node.js';
import { allNodeTypes, registryVersion } from '../../nodes/registry.js';

function configSchema(d: NodeDescriptor): Record<string, unknown> {
  try {
    return z.toJSONSchema(d.config, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  } catch {
    return { type: 'object' };
  }
}

const port = (p: NodeDescriptor['inputs'][number]) => ({
  name: p.name,
  data_type: p.data_type,
  description: p.description ?? '',
  required: p.required ?? false,
  default: p.default ?? null,
  port_schema: p.port_schema ?? null,
});

export function nodeTypeSpec(d: NodeDescriptor) {
  const accepts = d.accepts ?? {};
  return {
    component_type: d.type,
    display_name: d.displayName,
    description: d.description,
    category: d.category,
    inputs: d.inputs.map(port),
    outputs: d.outputs.map(port),
    requires_model: accepts.model ?? false,
    requires_tools: accepts.tools ?? false,
    requires_memory: accepts.memory ?? false,
    requires_output_parser: accepts.output_parser ?? false,
    requires_skills: accepts.skills ?? false,
    executable: d.flags.executable,
    is_trigger: d.flags.trigger ?? false,
    is_sub_component: d.flags.subComponent ?? false,
    config_schema: configSchema(d),
    palette: { label: d.palette.label, color: d.palette.color, icon: d.palette.icon ?? null },
  };
}

let cached: { version: number; body: Record<string, ReturnType<typeof nodeTypeSpec>> } | undefined;

/**
 * Built from the registry, cached until the registry changes (so types registered later — tests,
 * plugins — show up); generating every JSON Schema costs milliseconds.
 */
export function nodeTypesResponse(): Record<string, ReturnType<typeof nodeTypeSpec>> {
  if (cached?.version !== registryVersion()) {
    cached = {
      version: registryVersion(),
      body: Object.fromEntries(allNodeTypes().map((d) => [d.type, nodeTypeSpec(d)])),
    };
  }
  return cached.body;
}
