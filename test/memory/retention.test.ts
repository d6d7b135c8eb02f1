/** MEMORY_RETENTION_DAYS: old episodes, unused facts and unseen end users are pruned; 0 keeps all. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneMemory } from '../../src/memory/prune-memory.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { dbKinds } from '../helpers/test-database.js';

describe.each(dbKinds())('memory retention on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, { MEMORY_RETENTION_DAYS: '30' });
  });
  afterAll(async () => t?.close());

  it('reads the setting and prunes only what is older than it', async () => {
    expect(t.services.settings.memoryRetentionDays).toBe(30);
    const db = t.services.database.db;
    const old = new Date(Date.now() - 40 * 86_400_000).toISOString();
    const recent = new Date().toISOString();
    const fact = (id: string, at: string, accessed: string | null) => ({
      id,
      owner_id: t.admin.id,
      end_user_id: 'chat:1',
      scope: 'user' as const,
      agent_id: 'workflow:1',
      session_id: '',
      key: id,
      value: '"v"',
      fact_type: 'world_knowledge',
      confidence: 1,
      times_confirmed: 1,
      times_contradicted: 0,
      source_episode_id: null,
      source_description: null,
      access_count: 0,
      last_accessed: accessed,
      created_at: at,
      updated_at: at,
    });
    await db
      .insertInto('memory_facts')
      .values([fact('stale', old, null), fact('read-lately', old, recent), fact('fresh', recent, null)])
      .execute();
    const user = (id: string, seen: string) => ({
      id,
      owner_id: t.admin.id,
      canonical_id: id,
      channel: 'chat',
      display_name: null,
      telegram_id: null,
      telegram_username: null,
      email: null,
      merged_into_id: null,
      preferences_cache: '{}',
      total_conversations: 1,
      last_conversation_at: seen,
      first_seen_at: seen,
      last_seen_at: seen,
      created_at: seen,
      updated_at: seen,
    });
    await db
      .insertInto('memory_users')
      .values([user('chat:old', old), user('chat:new', recent)])
      .execute();

    expect(await pruneMemory(db, 0)).toEqual({ episodes: 0, facts: 0, users: 0 });
    expect(await pruneMemory(db, 30)).toEqual({ episodes: 0, facts: 1, users: 1 });
    const keys = (await db.selectFrom('memory_facts').select('key').execute()).map((r) => r.key).sort();
    expect(keys).toEqual(['fresh', 'read-lately']);
    const users = (await db.selectFrom('memory_users').select('canonical_id').execute()).map(
      (r) => r.canonical_id,
    );
    expect(users).toEqual(['chat:new']);
  });
});
