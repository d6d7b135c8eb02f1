/**
 * Lookup over the node type list in `index.ts`. Tests may register an extra type to prove that every
 * consumer reads the registry (the returned function removes it again).
 */
import type { NodeDescriptor } from './define-node.js';
import { NODE_TYPES } from './index.js';

const byType = new Map<string, NodeDescriptor>(NODE_TYPES.map((d) => [d.type, d as NodeDescriptor]));
let version = 0;

/** Changes whenever a type is registered or removed, so derived data can be cached safely. */
export function registryVersion(): number {
  return version;
}

export function getNodeType(type: string): NodeDescriptor | undefined {
  return byType.get(type);
}

export function allNodeTypes(): NodeDescriptor[] {
  return [...byType.values()];
}

export function registerNodeType(descriptor: NodeDescriptor): () => void {
  if (byType.has(descriptor.type)) throw new Error(`node type '${descriptor.type}' is already registered`);
  byType.set(descriptor.type, descriptor);
  version += 1;
  return () => {
    byType.delete(descriptor.type);
    version += 1;
  };
}
