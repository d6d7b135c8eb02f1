/**
 * The node type contract. Each file in this folder exports one descriptor made with `defineNode`;
 * `index.ts` lists them all. The registry API, edge validation, the YAML DSL, the topology builder,
 * the engine and the SPA's palette and config forms all read these descriptors — nothing else lists
 * node types.
 */
import type { z } from 'zod';
import type { Logger } from '../logger.js';

/** Port data types (spec §3.9). */
export type DataType =
  | 'string'
  | 'number'
  | 'boolean'
  | 'object'
  | 'array'
  | 'message'
  | 'messages'
  | 'image'
  | 'file'
  | 'any';

export interface PortSpec {
  name: string;
  data_type: DataType;
  description?: string;
  required?: boolean;
  default?: unknown;
  /** JSON Schema of the values carried, when more precise than the data type. */
  port_schema?: Record<string, unknown>;
}

export type NodeCategory =
  | 'trigger'
  | 'ai'
  | 'sub_component'
  | 'agent'
  | 'tool'
  | 'memory'
  | 'logic'
  | 'flow'
  | 'output';

/** Which sub-component connections a node accepts (the target handles of `llm`, `tool`, … edges). */
export interface AcceptsSubComponents {
  model?: boolean;
  tools?: boolean;
  memory?: boolean;
  output_parser?: boolean;
  skills?: boolean;
}

export interface NodeFlags {
  /** Starts executions; never executed itself (its output is the trigger payload). */
  trigger?: boolean;
  /** Scheduled by the engine (shows a live status badge). */
  executable: boolean;
  /** Plugged into a parent node through a sub-component edge (model, tool, parser, skill). */
  subComponent?: boolean;
  /** Runs in the flow, and can also be given to an agent with a `tool` edge (identify_user). */
  agentTool?: boolean;
  /**
   * Computes only from its inputs (no side effects), so running it again after a crash is harmless:
   * its result row is written together with the execution's next durable write instead of on its own.
   */
  replayable?: boolean;
}

/** Token usage of one node run (LLM nodes). */
export interface TokenUsage {
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  llm_calls: number;
  cost_usd: number;
  tool_invocations?: number;
}

/** A child execution a node asks the engine to start and wait for (sub-workflow, spawn & await). */
export interface ChildRequest {
  workflowSlug: string;
  triggerNodeId?: string;
  payload: Record<string, unknown>;
}

/** What a node run returns. `outputs` are the node's port values (stored as its output). */
export interface NodeResult {
  outputs: Record<string, unknown>;
  /** Chosen route for conditional edges (switch rule id, `pass`/`fail`, category…). */
  route?: string;
  /** Successors start after this many seconds (wait node). */
  delaySeconds?: number;
  /** Loop node: run the loop body once per item. */
  loopItems?: unknown[];
  /** Start these child executions and run this node again with their results (`ctx.childResults`). */
  children?: ChildRequest[];
  /** Explicit final output of the execution (reply_chat). */
  finalOutput?: unknown;
  tokenUsage?: TokenUsage;
}

/**
 * The stored configuration of a node, the reference's `ComponentConfigData`. `extra_config` is
 * validated by the node type's `config` schema; the other fields are common to all types.
 */
export interface NodeConfigData {
  system_prompt: string;
  extra_config: Record<string, unknown>;
  llm_credential_id: number | null;
  model_name: string;
  temperature: number | null;
  max_tokens: number | null;
  top_p: number | null;
  frequency_penalty: number | null;
  presence_penalty: number | null;
  timeout: number | null;
  max_retries: number | null;
  response_format: Record<string, unknown> | null;
  credential_id: number | null;
  is_active: boolean;
  priority: number;
  trigger_config: Record<string, unknown>;
}

/** Everything a node's `run` receives. Templates in the config are already rendered. */
export interface NodeRunContext<C> {
  executionId: string;
  workflowSlug: string;
  nodeId: string;
  /** `extra_config`, rendered and validated by the node type's schema. */
  config: C;
  /** The node's full stored configuration (system prompt rendered). */
  nodeConfig: NodeConfigData;
  /** The payload of the trigger that started the execution. */
  trigger: Record<string, unknown>;
  /** Outputs of the nodes that finished before this one, by node id. */
  outputs: Readonly<Record<string, Record<string, unknown>>>;
  /** Outputs of the nodes wired into this one (incoming edges) that ran, by node id, in edge order. */
  inputs: Readonly<Record<string, Record<string, unknown>>>;
  /** Inside a loop body: the current item. */
  loop?: { item: unknown; index: number; total: number };
  /** Human confirmation: the answer that resumed the execution. */
  resumeInput?: string;
  /** Second run of a node that asked for children: their final outputs, in request order. */
  childResults?: unknown[];
  /** Aborted on cancel and on the workflow's wall-clock timeout. Pass it to every I/O call. */
  signal: AbortSignal;
  log: Logger;
  /** Publishes a node-level event (e.g. streamed tokens) on the execution's channels. */
  emit(type: string, data: Record<string, unknown>): void;
  /** Engine services for nodes that need them (database, settings…); opaque to the contract. */
  deps: unknown;
}

export interface NodeDescriptor<S extends z.ZodType = z.ZodType> {
  /** The `component_type` stored on nodes. */
  type: string;
  displayName: string;
  description: string;
  category: NodeCategory;
  inputs: PortSpec[];
  outputs: PortSpec[];
  /** Schema of `extra_config`; defaults fill in missing keys. */
  config: S;
  flags: NodeFlags;
  accepts?: AcceptsSubComponents;
  palette: { label: string; color: string; icon?: string };
  /**
   * Executes the node. Types whose runtime arrives with a later feature leave it out: running them
   * fails with a clear "not available yet" error.
   */
  run?: (ctx: NodeRunContext<z.output<S>>) => Promise<NodeResult>;
  /**
   * Upgrades stored `extra_config` from older shapes, oldest first; `run` only sees the newest shape.
   */
  configMigrations?: Array<(old: Record<string, unknown>) => Record<string, unknown>>;
}

export function defineNode<S extends z.ZodType>(descriptor: NodeDescriptor<S>): NodeDescriptor<S> {
  return descriptor;
}

/** Category colours for the palette (the reference canvas's). */
export const CATEGORY_COLORS: Record<NodeCategory, string> = {
  trigger: '#f97316',
  ai: '#8b5cf6',
  sub_component: '#3b82f6',
  agent: '#14b8a6',
  tool: '#10b981',
  memory: '#f59e0b',
  logic: '#6366f1',
  flow: '#ec4899',
  output: '#0ea5e9',
};
