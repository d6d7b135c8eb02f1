/**
 * Event envelopes, as the reference sends them (spec §6.3):
 * - editing events (node/edge/workflow changes) go to `workflow:<slug>` as
 *   `{type, channel, timestamp, data}`;
 * - execution events go to `execution:<id>` as `{type, execution_id, timestamp, data}` and to
 *   `workflow:<slug>` with `channel` added.
 */
import type { EventBus } from './event-bus.js';

export type EditingEventType =
  | 'workflow_created'
  | 'workflow_updated'
  | 'workflow_deleted'
  | 'node_created'
  | 'node_updated'
  | 'node_deleted'
  | 'edge_created'
  | 'edge_updated'
  | 'edge_deleted';

export type ExecutionEventType =
  | 'execution_started'
  | 'node_enqueued'
  | 'node_status'
  | 'child_node_status'
  | 'chat_message'
  | 'chat_token'
  | 'execution_interrupted'
  | 'execution_completed'
  | 'execution_failed'
  | 'execution_cancelled';

export const workflowChannel = (slug: string) => `workflow:${slug}`;
export const executionChannel = (id: string) => `execution:${id}`;

const unixNow = () => Date.now() / 1000;

export function publishEditingEvent(
  bus: EventBus,
  slug: string,
  type: EditingEventType,
  data: Record<string, unknown>,
): Promise<void> {
  const channel = workflowChannel(slug);
  return bus.publish(channel, { type, channel, timestamp: unixNow(), data });
}

export async function publishExecutionEvent(
  bus: EventBus,
  target: { executionId: string; workflowSlug?: string | null },
  type: ExecutionEventType,
  data?: Record<string, unknown>,
): Promise<void> {
  const body: Record<string, unknown> = { type, execution_id: target.executionId, timestamp: unixNow() };
  if (data !== undefined) body.data = data;
  const jobs = [bus.publish(executionChannel(target.executionId), body)];
  if (target.workflowSlug) {
    const channel = workflowChannel(target.workflowSlug);
    jobs.push(bus.publish(channel, { ...body, channel }));
  }
  await Promise.all(jobs);
}
