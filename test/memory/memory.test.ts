/**
 * Agent memory end to end: an agent with `remember`/`recall` tools behind an identify_user node,
 * started by webhooks from two end users. Facts reach the same end user in a later execution and
 * never the other; episodes get deterministic summaries; erasing an end user removes every row about
 * them; the memories API is admin only.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { nowIso, toJson } from '../../src/db/values.js';
import { memoryRead, ZMemoryReadConfig } from '../../src/nodes/memory-read.js';
import { memoryWrite, ZMemoryWriteConfig } from '../../src/nodes/memory-write.js';
import { type MockLlmServer, startMockLlmServer } from '../helpers/mock-llm-server.js';
import { nodeRows, seedWorkflow, waitForStatus } from '../helpers/seed-workflow.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { dbKinds } from '../helpers/test-database.js';
import { createLlmCredential, modelNode } from '../llm/llm-helpers.js';

describe.each(dbKinds())('agent memory on %s', (kind) => {
  let t: TestApp;
  let mock: MockLlmServer;
  const slug = `memory-${Math.random().toString(36).slice(2, 8)}`;
  const db = () => t.services.database.db;

  beforeAll(async () => {
    mock = await startMockLlmServer();
    t = await createTestApp(kind, { OUTBOUND_ALLOWLIST: '127.0.0.1' }, undefined, { engine: true });
    const cred = await createLlmCredential(t, t.admin.key, mock.openaiBase);
    await seedWorkflow(db(), t.admin.id, {
      slug,
      nodes: [
        { id: 'hook', type: 'trigger_webhook' },
        { id: 'who', type: 'identify_user' },
        { id: 'agent', type: 'agent' },
        modelNode(cred),
        { id: 'recall', type: 'memory_read', extra: { memory_type: 'all' } },
        { id: 'remember', type: 'memory_write', extra: { fact_type: 'user_preference' } },
      ],
      edges: [
        { from: 'hook', to: 'who' },
        { from: 'who', to: 'agent' },
        { from: 'model', to: 'agent', label: 'llm' },
        { from: 'recall', to: 'agent', label: 'tool' },
        { from: 'remember', to: 'agent', label: 'tool' },
      ],
    });
  });
  afterAll(async () => {
    await t?.close();
    await mock?.close();
  });
  beforeEach(() => mock.reset());

  const send = async (body: Record<string, unknown>) => {
    const res = await t.call('POST', `/api/v1/webhooks/${slug}`, t.admin.key, body);
    expect(res.statusCode, res.body).toBe(202);
    const id = res.json().execution_id as string;
    const row = await waitForStatus(db(), id, ['completed', 'failed'], 30_000);
    expect(row.status, row.error_message ?? '').toBe('completed');
    return id;
  };
  const toolAnswers = () =>
    (mock.requests.at(-1)?.body.messages ?? [])
      .filter((m: any) => m.role === 'tool')
      .map((m: any) => m.content as string);
  const rowsAbout = async (endUser: string) => {
    const count = async (table: 'memory_facts' | 'memory_episodes' | 'memory_procedures') =>
      (await db().selectFrom(table).select('id').where('end_user_id', '=', endUser).execute()).length;
    return {
      facts: await count('memory_facts'),
      episodes: await count('memory_episodes'),
      procedures: await count('memory_procedures'),
      users: (
        await db().selectFrom('memory_users').select('id').where('canonical_id', '=', endUser).execute()
      ).length,
    };
  };

  it('recalls a fact for the same end user in a later execution, never for another', async () => {
    mock.script(
      { toolCalls: [{ name: 'remember', args: { key: 'favourite_colour', value: 'blue' } }] },
      { text: 'Noted, blue it is.' },
    );
    const first = await send({ user_id: 'alice', text: 'please remember my colour is blue' });
    expect(toolAnswers()).toEqual(['Remembered: favourite_colour = blue (created)']);
    expect((await nodeRows(db(), first)).who.out).toMatchObject({
      user_id: 'webhook:alice',
      is_new_user: true,
    });

    mock.script(
      {
        toolCalls: [
          { name: 'recall', args: { key: 'favourite colour' } },
          { name: 'recall', args: { query: 'colour' } },
        ],
      },
      { text: 'Your colour is blue.' },
    );
    const second = await send({ user_id: 'alice', text: 'what is my colour?' });
    const [byKey, byQuery] = toolAnswers();
    expect(byKey).toBe('favourite_colour = blue');
    const found = JSON.parse(byQuery);
    expect(found).toContainEqual(
      expect.objectContaining({ type: 'fact', key: 'favourite_colour', value: 'blue' }),
    );
    // The first execution's episode, completed with its reply, is found by its summary.
    expect(found).toContainEqual(
      expect.objectContaining({
        type: 'episode',
        success: true,
        summary: 'User said: "please remember my colour is blue" → Replied: "Noted, blue it is."',
      }),
    );
    const who = (await nodeRows(db(), second)).who.out;
    expect(who.is_new_user).toBe(false);
    expect(who.user_context.facts).toEqual([
      { key: 'favourite_colour', value: 'blue', type: 'user_preference' },
    ]);
    expect(who.user_context.total_conversations).toBe(2);

    mock.script(
      {
        toolCalls: [
          { name: 'recall', args: { key: 'favourite_colour' } },
          { name: 'recall', args: { query: 'colour' } },
          { name: 'recall', args: {} },
        ],
      },
      { text: 'I do not know.' },
    );
    const third = await send({ user_id: 'bob', text: 'what is my favourite colour?' });
    expect(toolAnswers()).toEqual([
      'No memory found for key: favourite_colour',
      'No memories found for query: colour',
      'Memory is empty — no facts stored.',
    ]);
    expect((await nodeRows(db(), third)).who.out).toMatchObject({
      user_id: 'webhook:bob',
      is_new_user: true,
    });

    // One episode per execution, with the end user and a summary, listed by the admin API.
    const res = await t.call('GET', '/api/v1/memories/episodes/?limit=50', t.admin.key);
    expect(res.statusCode).toBe(200);
    const mine = res.json().items.filter((e: any) => [first, second, third].includes(e.execution_id));
    expect(mine).toHaveLength(3);
    expect(mine.map((e: any) => e.user_id).sort()).toEqual(['webhook:alice', 'webhook:alice', 'webhook:bob']);
    for (const e of mine) {
      expect(e.summary).toMatch(/→ Replied: /);
      expect(e.success).toBe(true);
      expect(e.agent_id).toMatch(/^workflow:\d+$/);
    }
    const facts = await t.call('GET', '/api/v1/memories/facts/', t.admin.key);
    expect(facts.json().items).toContainEqual(
      expect.objectContaining({
        key: 'favourite_colour',
        value: 'blue',
        scope: 'user',
        user_id: 'webhook:alice',
        times_confirmed: 1,
      }),
    );
  });

  it('runs memory_write and memory_read as nodes (run) in an execution of the same end user', async () => {
    const ep = await db()
      .selectFrom('memory_episodes')
      .select('execution_id')
      .where('end_user_id', '=', 'webhook:alice')
      .executeTakeFirstOrThrow();
    const ctx = (config: Record<string, unknown>) =>
      ({
        executionId: ep.execution_id,
        config,
        deps: t.services,
        inputs: {},
        outputs: {},
        trigger: {},
      }) as never;
    const write = await memoryWrite.run!(ctx(ZMemoryWriteConfig.parse({ key: 'city', value: 'Lyon' })));
    expect(write.outputs.result).toBe('Remembered: city = Lyon (created)');
    const again = await memoryWrite.run!(ctx(ZMemoryWriteConfig.parse({ key: 'city', value: 'Paris' })));
    expect(again.outputs.result).toBe('Remembered: city = Paris (updated)');
    const read = await memoryRead.run!(ctx(ZMemoryReadConfig.parse({ key: 'city' })));
    expect(read.outputs.result).toBe('city = Paris');
    const fact = await db()
      .selectFrom('memory_facts')
      .selectAll()
      .where('key', '=', 'city')
      .executeTakeFirstOrThrow();
    expect(fact).toMatchObject({ end_user_id: 'webhook:alice', scope: 'user', times_confirmed: 2 });
    expect(fact.access_count).toBe(1);
    await expect(memoryWrite.run!(ctx(ZMemoryWriteConfig.parse({ key: '' })))).rejects.toThrow(
      'key is required',
    );
    await db().deleteFrom('memory_facts').where('id', '=', fact.id).execute();
  });

  it('erases every row about one end user and nothing about others', async () => {
    // Conversation messages written by alice's executions, and one of bob's.
    const episodes = await db()
      .selectFrom('memory_episodes')
      .select(['execution_id', 'end_user_id'])
      .execute();
    const aliceExec = episodes.find((e) => e.end_user_id === 'webhook:alice')!.execution_id;
    const bobExec = episodes.find((e) => e.end_user_id === 'webhook:bob')!.execution_id;
    for (const [thread, exec] of [
      ['alice-thread', aliceExec],
      ['bob-thread', bobExec],
    ]) {
      await db()
        .insertInto('conversation_messages')
        .values({
          thread_id: thread,
          role: 'user',
          content: toJson({ role: 'user', content: 'hi' }),
          text: 'hi',
          execution_id: exec,
          created_at: nowIso(),
        })
        .execute();
    }
    const owner = await db()
      .selectFrom('workflows')
      .select('owner_id')
      .where('slug', '=', slug)
      .executeTakeFirstOrThrow();
    await db()
      .insertInto('memory_procedures')
      .values({
        id: crypto.randomUUID(),
        owner_id: owner.owner_id,
        end_user_id: 'webhook:alice',
        agent_id: '',
        name: 'greet alice',
        description: '',
        trigger_conditions: '{"goal_contains":["greet"]}',
        procedure_type: 'prompt_template',
        procedure_content: '{}',
        times_used: 0,
        times_succeeded: 0,
        times_failed: 0,
        avg_duration_ms: 0,
        last_used_at: null,
        source: 'human_taught',
        parent_procedure_id: null,
        is_active: true,
        created_at: nowIso(),
        updated_at: nowIso(),
      })
      .execute();

    const before = await rowsAbout('webhook:alice');
    expect(before).toEqual({ facts: 1, episodes: 2, procedures: 1, users: 1 });
    const bobBefore = await rowsAbout('webhook:bob');
    const messagesOf = async (thread: string) =>
      (await db().selectFrom('conversation_messages').select('id').where('thread_id', '=', thread).execute())
        .length;
    expect(await messagesOf('alice-thread')).toBe(1);

    const user = await t.makeUser('normal');
    expect((await t.call('DELETE', '/api/v1/memories/users/webhook:alice/', null)).statusCode).toBe(401);
    expect((await t.call('DELETE', '/api/v1/memories/users/webhook:alice/', user.key)).statusCode).toBe(403);
    const res = await t.call('DELETE', '/api/v1/memories/users/webhook:alice/', t.admin.key);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().removed).toEqual({
      facts: 1,
      episodes: 2,
      procedures: 1,
      users: 1,
      conversation_messages: 1,
    });

    expect(await rowsAbout('webhook:alice')).toEqual({ facts: 0, episodes: 0, procedures: 0, users: 0 });
    expect(await messagesOf('alice-thread')).toBe(0);
    expect(await rowsAbout('webhook:bob')).toEqual(bobBefore);
    expect(await messagesOf('bob-thread')).toBe(1);
  });

  it('serves the memories API to admins only, with batch deletes and checkpoints', async () => {
    const user = await t.makeUser('normal');
    const lists = ['facts', 'episodes', 'procedures', 'users', 'checkpoints'];
    for (const list of lists) {
      expect((await t.call('GET', `/api/v1/memories/${list}/`, null)).statusCode).toBe(401);
      const denied = await t.call('GET', `/api/v1/memories/${list}/`, user.key);
      expect(denied.statusCode).toBe(403);
      expect(denied.json()).toEqual({ detail: 'Admin access required.' });
      expect(
        (await t.call('POST', `/api/v1/memories/${list}/batch-delete/`, user.key, { ids: [] })).statusCode,
      ).toBe(403);
      const ok = await t.call('GET', `/api/v1/memories/${list}/`, t.admin.key);
      expect(ok.statusCode).toBe(200);
      expect(ok.json()).toEqual({ items: expect.any(Array), total: expect.any(Number) });
    }
    const users = (await t.call('GET', '/api/v1/memories/users/', t.admin.key)).json();
    const bob = users.items.find((u: any) => u.canonical_id === 'webhook:bob');
    expect(bob).toMatchObject({ total_conversations: 1, telegram_id: null, email: null });
    const checkpoints = (
      await t.call('GET', '/api/v1/memories/checkpoints/?thread_id=bob-thread', t.admin.key)
    ).json();
    expect(checkpoints.items).toEqual([
      expect.objectContaining({
        thread_id: 'bob-thread',
        parent_checkpoint_id: null,
        step: 0,
        blob_size: expect.any(Number),
      }),
    ]);
    const del = await t.call('POST', '/api/v1/memories/checkpoints/batch-delete/', t.admin.key, {
      checkpoint_ids: [checkpoints.items[0].checkpoint_id],
    });
    expect(del.statusCode).toBe(204);
    expect(
      (await t.call('GET', '/api/v1/memories/checkpoints/?thread_id=bob-thread', t.admin.key)).json().total,
    ).toBe(0);
    const gone = await t.call('POST', '/api/v1/memories/users/batch-delete/', t.admin.key, { ids: [bob.id] });
    expect(gone.statusCode).toBe(204);
    expect(
      (await t.call('GET', '/api/v1/memories/users/', t.admin.key))
        .json()
        .items.some((u: any) => u.id === bob.id),
    ).toBe(false);
  });
});
