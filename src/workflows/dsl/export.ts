/**
 * Export: a workflow as the DSL's graph form — create-mode header (`name`, `description`, `tags`…)
 * plus explicit `nodes:` and `edges:` lists, which express any graph exactly. Importing it gives the
 * same node ids, types, configs, positions and edges (`llm_model_config_id` is derived from `llm`
 * edges, so it is not written).
 */
import { stringify } from 'yaml';
import type { WorkflowDetail } from '../graph.js';
import { defaultNodeConfig } from '../node-config.js';

export const GRAPH_FORMAT = 'pipelit/graph-v1';

export function exportWorkflowDoc(graph: WorkflowDetail): Record<string, unknown> {
  const wf = graph.workflow;
  const defaults = defaultNodeConfig() as unknown as Record<string, unknown>;
  const doc: Record<string, unknown> = { format: GRAPH_FORMAT, name: wf.name };
  if (wf.description) doc.description = wf.description;
  if (wf.tags?.length) doc.tags = wf.tags;
  if (!wf.is_active) doc.is_active = false;
  if (wf.max_execution_seconds !== 600) doc.max_execution_seconds = wf.max_execution_seconds;
  doc.nodes = graph.nodes.map((n) => {
    const out: Record<string, unknown> = { node_id: n.node_id, component_type: n.component_type };
    if (n.label) out.label = n.label;
    out.position_x = n.position_x;
    out.position_y = n.position_y;
    if (n.is_entry_point) out.is_entry_point = true;
    if (n.interrupt_before) out.interrupt_before = true;
    if (n.interrupt_after) out.interrupt_after = true;
    const config: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(n.config)) {
      if (key === 'llm_model_config_id' || key === 'input_template' || key === 'extra_config') continue;
      if (JSON.stringify(value) !== JSON.stringify(defaults[key])) config[key] = value;
    }
    config.extra_config = n.config.extra_config;
    out.config = config;
    return out;
  });
  doc.edges = graph.edges.map((e) => {
    const out: Record<string, unknown> = { source: e.source_node_id, target: e.target_node_id };
    if (e.edge_type !== 'direct') out.type = e.edge_type;
    if (e.edge_label) out.label = e.edge_label;
    if (e.condition_value) out.condition_value = e.condition_value;
    if (e.condition_mapping) out.condition_mapping = e.condition_mapping;
    if (e.priority) out.priority = e.priority;
    return out;
  });
  return doc;
}

export function exportWorkflowYaml(graph: WorkflowDetail): string {
  return stringify(exportWorkflowDoc(graph), { lineWidth: 0 });
}
