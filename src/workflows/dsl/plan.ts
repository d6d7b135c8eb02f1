/** The compiled form of a DSL document: what `persist.ts` writes in one transaction. */
import type { EdgeInsert, NodeInsert } from '../write.js';

/** Path inside the YAML document, used to report the line of a problem. */
export type YamlPath = (string | number)[];

export interface PlannedNode extends NodeInsert {
  /** Raw `extra_config` as written; normalised by the node type's schema when the plan is checked. */
  path: YamlPath;
}
export interface PlannedEdge extends EdgeInsert {
  path: YamlPath;
}

export interface GraphPlan {
  name: string;
  description: string;
  tags: string[] | null;
  is_active: boolean;
  max_execution_seconds: number;
  forked_from_id: number | null;
  /** Slug of the target workflow of each `workflow` node, resolved to `subworkflow_id` when visible. */
  nodes: PlannedNode[];
  edges: PlannedEdge[];
}

/** Collects problems with the YAML path they come from. */
export class Problems {
  readonly items: { path: YamlPath; message: string }[] = [];
  add(path: YamlPath, message: string): void {
    this.items.push({ path, message });
  }
  get count(): number {
    return this.items.length;
  }
}
