/**
 * Writes the memory episode of every finished execution whose end user is known (an identify_user
 * node ran, or the trigger payload names one), so recall by query works for all conversations.
 */
import type { FinishHook } from '../engine/finish-hooks.js';
import { recordExecutionEpisode } from './episodes.js';
import { loadMemoryScope } from './memory-scope.js';

export const recordEpisodeOnFinish: FinishHook = async (deps, finished) => {
  const scope = await loadMemoryScope(deps.database.db, finished.executionId);
  if (!scope.endUser) return;
  await recordExecutionEpisode(scope);
};
