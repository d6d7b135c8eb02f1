/**
 * Finish hooks: a memory episode is written for every finished execution whose end user is known,
 * without any memory node in the workflow.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedWorkflow, waitForStatus } from '../helpers/seed-workflow.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

describe('finish hooks', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite', {}, undefined, { engine: true });
  });
  afterAll(async () => t?.close());

  it('records an episode for an identified end user at the end of any execution', async () => {
    await seedWorkflow(t.services.database.db, t.admin.id, {
      slug: 'plain-hook',
      nodes: [
        { id: 'in', type: 'trigger_webhook' },
        { id: 'say', type: 'reply_chat', extra: { message: 'thanks {{ input.user_id }}' } },
      ],
      edges: [{ from: 'in', to: 'say' }],
    });
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/webhooks/plain-hook',
      payload: { user_id: 'carol', text: 'I like tea' },
      headers: { authorization: `Bearer ${t.admin.key}` },
    });
    expect(res.statusCode, res.body).toBe(202);
    const id = res.json().execution_id;
    await waitForStatus(t.services.database.db, id, ['completed']);
    let episode: any;
    for (let i = 0; i < 100 && !episode; i++) {
      episode = await t.services.database.db
        .selectFrom('memory_episodes')
        .selectAll()
        .where('execution_id', '=', id)
        .executeTakeFirst();
      if (!episode) await new Promise((r) => setTimeout(r, 20));
    }
    expect(episode).toMatchObject({ end_user_id: 'webhook:carol' });
    expect(episode.summary).toContain('thanks carol');
  });
});
