/** Helpers node runs share for reading other nodes' outputs. */
import { getPath } from '../engine/get-path.js';

/**
 * The value a node "produces" for list-style consumers: its `output` port when it has one, the only
 * port's value when it has exactly one, else the whole output object.
 */
export function mainValue(output: Record<string, unknown> | undefined): unknown {
  if (!output) return undefined;
  if ('output' in output) return output.output;
  const keys = Object.keys(output);
  if (keys.length === 1) return output[keys[0]];
  return output;
}

/** `source_node` + optional `field` (a dotted path inside that node's output). */
export function readSource(
  outputs: Readonly<Record<string, Record<string, unknown>>>,
  sourceNode: string,
  field: string,
): unknown {
  const output = outputs[sourceNode];
  if (!output) return undefined;
  if (!field) return mainValue(output);
  const direct = getPath(output, field);
  // `field` may also address inside the main value (e.g. `items` of a code node's {output:{items}}).
  return direct !== undefined ? direct : getPath(mainValue(output), field);
}
