/**
 * The `output_parser` sub-component applied to an AI node's answer (connected by an `output_parser`
 * edge): JSON (direct or in a fenced block, else the raw text), regex matches, or a list of lines
 * with bullets and numbering stripped.
 */
import type { GraphNode } from '../engine/graph.js';

export function parseJsonLoose(text: string): unknown {
  const trimmed = text.trim();
  try {
    return JSON.parse(trimmed);
  } catch {
    const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(trimmed);
    if (fenced) {
      try {
        return JSON.parse(fenced[1].trim());
      } catch {
        // fall through
      }
    }
    const braces = /[{[][\s\S]*[}\]]/.exec(trimmed);
    if (braces) {
      try {
        return JSON.parse(braces[0]);
      } catch {
        // fall through
      }
    }
    return undefined;
  }
}

export function applyOutputParser(parser: GraphNode, text: string): unknown {
  const extra = parser.config.extra_config;
  const kind = String(extra.parser_type ?? 'json');
  if (kind === 'regex') {
    const pattern = String(extra.pattern ?? '');
    if (!pattern) return [];
    let re: RegExp;
    try {
      re = new RegExp(pattern, 'g');
    } catch (err) {
      throw new Error(`output_parser '${parser.nodeId}': invalid regex: ${(err as Error).message}`);
    }
    return [...text.matchAll(re)].map((m) => (m.length > 2 ? m.slice(1) : (m[1] ?? m[0])));
  }
  if (kind === 'list') {
    return text
      .split('\n')
      .map((l) => l.replace(/^\s*(?:[-*•+]|\d+[.)])\s*/, '').trim())
      .filter(Boolean);
  }
  const parsed = parseJsonLoose(text);
  return parsed === undefined ? text : parsed;
}
