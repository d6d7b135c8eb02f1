/** xyflow node types, at module scope so they are never re-created. */
import type { NodeTypes } from '@xyflow/react';
import { PipelitNode } from './pipelit-node';

export const nodeTypes: NodeTypes = { pipelit: PipelitNode };
