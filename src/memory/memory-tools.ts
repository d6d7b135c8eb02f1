/**
 * The agent-tool form of the memory nodes (`recall`, `remember`, `identify_user`), registered in
 * `llm/tools/index.ts`. Each call works on the memory of the workflow's owner and the execution's
 * end user.
 */
import { type AgentTool, errorText, obj, type ToolFactory } from '../llm/tools/types.js';
import { ZIdentifyUserConfig } from '../nodes/identify-user.js';
import { ZMemoryReadConfig } from '../nodes/memory-read.js';
import { ZMemoryWriteConfig } from '../nodes/memory-write.js';
import { ensureEpisode } from './episodes.js';
import { loadMemoryScope } from './memory-scope.js';
import { getOrCreateUser, getUserContext } from './memory-users.js';
import { recall, remember } from './recall-remember.js';

export const recallTool: ToolFactory = (b): AgentTool[] => {
  const cfg = ZMemoryReadConfig.parse(b.config ?? {});
  return [
    {
      name: 'recall',
      description:
        'Recall what you remember. `key`: exact lookup of a fact; `query`: search facts, past conversations and procedures; neither: list what you know.',
      parameters: obj({ key: { type: 'string' }, query: { type: 'string' } }),
      nodeId: b.toolNode.nodeId,
      async execute(args) {
        try {
          const scope = await loadMemoryScope(b.ai.db, b.ai.execution.id);
          return await recall(
            scope,
            { key: String(args.key ?? ''), query: String(args.query ?? '') },
            { memoryType: cfg.memory_type, limit: cfg.limit, minConfidence: cfg.min_confidence },
          );
        } catch (err) {
          return errorText(err);
        }
      },
    },
  ];
};

export const rememberTool: ToolFactory = (b): AgentTool[] => {
  const cfg = ZMemoryWriteConfig.parse(b.config ?? {});
  return [
    {
      name: 'remember',
      description:
        'Remember a fact for later conversations (about the current user unless configured otherwise).',
      parameters: obj({ key: { type: 'string' }, value: { type: 'string' }, fact_type: { type: 'string' } }, [
        'key',
        'value',
      ]),
      nodeId: b.toolNode.nodeId,
      async execute(args) {
        try {
          const scope = await loadMemoryScope(b.ai.db, b.ai.execution.id);
          return await remember(scope, args, {
            factType: cfg.fact_type,
            scope: cfg.scope,
            overwrite: cfg.overwrite,
          });
        } catch (err) {
          return errorText(err);
        }
      },
    },
  ];
};

export const identifyUserTool: ToolFactory = (b): AgentTool[] => {
  const cfg = ZIdentifyUserConfig.parse(b.config ?? {});
  return [
    {
      name: 'identify_user',
      description: 'Who you are talking to, and what memory knows about them (facts, recent conversations).',
      parameters: obj({}),
      nodeId: b.toolNode.nodeId,
      async execute() {
        try {
          const scope = await loadMemoryScope(b.ai.db, b.ai.execution.id, {
            channel: cfg.channel || undefined,
          });
          const found = await getOrCreateUser(scope);
          if (!found) return 'The current user is anonymous; nothing is remembered about them.';
          await ensureEpisode(scope);
          return JSON.stringify(await getUserContext(scope, found.user, found.isNew));
        } catch (err) {
          return errorText(err);
        }
      },
    },
  ];
};
