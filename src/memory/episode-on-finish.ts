/**
 * Memory episodes for finished executions: an episode a memory node opened is completed, and a
 * conversation (chat, messaging gateway, or a webhook that names its user) gets one even without a
 * memory node, so recall by query works. Manual, scheduled and internal runs write none — they are
 * not conversations, and an episode per run would double the storage of busy workflows.
 */
import type { FinishHook } from '../engine/finish-hooks.js';
import { getNodeType } from '../nodes/registry.js';
import { resolveEndUser } from './end-user.js';
import { completeFinishedEpisodes, ensureEpisode } from './episodes.js';
import { loadMemoryScope } from './memory-scope.js';

const CONVERSATION_TRIGGERS = new Set(['trigger_chat', 'trigger_telegram', 'trigger_webhook']);

/** Node types that can open an episode while they run: memory nodes and nodes that take memory. */
function mayOpenEpisode(componentType: string): boolean {
  const type = getNodeType(componentType);
  return !type || type.category === 'memory' || componentType.startsWith('memory_') || !!type.accepts?.memory;
}

export const recordEpisodeOnFinish: FinishHook = async (deps, finished) => {
  const db = deps.database.db;
  // The common case — no memory node, nobody identifiable — is answered without reading anything.
  const known = finished.known;
  if (known && !known.componentTypes.some(mayOpenEpisode)) {
    if (!CONVERSATION_TRIGGERS.has(known.triggerType ?? '')) return;
    const endUser = resolveEndUser({
      payload: finished.trigger,
      triggerType: known.triggerType,
      platformUserId: known.userId,
    });
    if (!endUser) return;
  }
  const opened = await db
    .selectFrom('memory_episodes')
    .select('id')
    .where('execution_id', '=', finished.executionId)
    .executeTakeFirst();
  if (!opened) {
    const scope = await loadMemoryScope(db, finished.executionId);
    if (!scope.endUser || !CONVERSATION_TRIGGERS.has(scope.triggerType ?? '')) return;
    await ensureEpisode(scope);
  }
  await completeFinishedEpisodes(db, undefined, finished.executionId);
};
