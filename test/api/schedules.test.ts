import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedWorkflow } from '../helpers/seed-workflow.js';
import { createTestApp, type TestApp, type TestUser } from '../helpers/test-app.js';
import { dbKinds } from '../helpers/test-database.js';

describe.each(dbKinds())('schedules API on %s', (kind) => {
  let t: TestApp;
  let owner: TestUser;
  let other: TestUser;
  let wfId: number;
  beforeAll(async () => {
    t = await createTestApp(kind);
    owner = await t.makeUser();
    other = await t.makeUser();
    wfId = await seedWorkflow(t.services.database.db, owner.id, {
      slug: 'sched-api',
      nodes: [
        { id: 'tick', type: 'trigger_schedule', extra: { interval_seconds: 120, total_repeats: 2 } },
        { id: 'work', type: 'code', extra: { code: 'return 1;' } },
      ],
      edges: [{ from: 'tick', to: 'work' }],
    });
  });
  afterAll(async () => t?.close());

  it('creates, lists, reads, reschedules on PATCH, pauses, resumes and deletes', async () => {
    const created = await t.call('POST', '/api/v1/schedules/', owner.key, {
      name: 'every two minutes',
      workflow_id: wfId,
      interval_seconds: 120,
      trigger_payload: { hello: 'world' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const job = created.json();
    expect(job).toMatchObject({
      status: 'active',
      interval_seconds: 120,
      total_repeats: 0,
      max_retries: 3,
      timeout_seconds: 600,
      run_count: 0,
    });
    const delay = Date.parse(job.next_run_at) - Date.now();
    expect(delay).toBeGreaterThan(110_000);
    expect(delay).toBeLessThanOrEqual(120_000);

    const list = await t.call('GET', `/api/v1/schedules/?workflow_id=${wfId}`, owner.key);
    expect(list.json()).toMatchObject({ total: 1, items: [{ id: job.id }] });
    expect((await t.call('GET', '/api/v1/schedules/', other.key)).json()).toEqual({ items: [], total: 0 });
    expect((await t.call('GET', `/api/v1/schedules/${job.id}/`, owner.key)).json().name).toBe(
      'every two minutes',
    );

    const patched = await t.call('PATCH', `/api/v1/schedules/${job.id}/`, owner.key, {
      interval_seconds: 3600,
    });
    expect(Date.parse(patched.json().next_run_at) - Date.now()).toBeGreaterThan(3500_000);
    const toCron = await t.call('PATCH', `/api/v1/schedules/${job.id}/`, owner.key, {
      cron: '0 9 * * *',
      timezone: 'Europe/Paris',
    });
    expect(toCron.json()).toMatchObject({ cron: '0 9 * * *', timezone: 'Europe/Paris' });
    expect(new Date(toCron.json().next_run_at).getUTCMinutes()).toBe(0);

    const paused = await t.call('POST', `/api/v1/schedules/${job.id}/pause/`, owner.key);
    expect(paused.json()).toMatchObject({ status: 'paused', next_run_at: null });
    const again = await t.call('POST', `/api/v1/schedules/${job.id}/pause/`, owner.key);
    expect(again.statusCode).toBe(400);
    expect(again.json()).toEqual({ detail: "Cannot pause job with status 'paused'." });
    expect((await t.call('POST', `/api/v1/schedules/${job.id}/resume/`, owner.key)).json().status).toBe(
      'active',
    );
    const resumeActive = await t.call('POST', `/api/v1/schedules/${job.id}/resume/`, owner.key);
    expect(resumeActive.json()).toEqual({ detail: "Cannot resume job with status 'active'." });

    const preview = await t.call('GET', `/api/v1/schedules/${job.id}/preview/?count=3`, owner.key);
    expect(preview.json().next_runs).toHaveLength(3);
    expect((await t.call('DELETE', `/api/v1/schedules/${job.id}/`, owner.key)).statusCode).toBe(204);
    expect((await t.call('GET', `/api/v1/schedules/${job.id}/`, owner.key)).statusCode).toBe(404);
  });

  it('validates with the reference messages and previews cron expressions', async () => {
    const bad = await t.call('POST', '/api/v1/schedules/', owner.key, {
      name: 'x',
      workflow_id: wfId,
      interval_seconds: 0,
      total_repeats: -1,
      max_retries: -1,
      timeout_seconds: 0,
    });
    expect(bad.statusCode).toBe(422);
    const msgs = bad.json().detail.map((d: { msg: string }) => d.msg);
    for (const m of [
      'interval_seconds must be >= 1',
      'total_repeats must be >= 0',
      'max_retries must be >= 0',
      'timeout_seconds must be >= 1',
    ]) {
      expect(msgs).toContain(m);
    }
    const badCron = await t.call('POST', '/api/v1/schedules/', owner.key, {
      name: 'c',
      workflow_id: wfId,
      cron: 'not a cron',
    });
    expect(badCron.statusCode).toBe(422);
    const preview = await t.call('POST', '/api/v1/schedules/preview/', owner.key, {
      cron: '15 10 * * *',
      timezone: 'Asia/Tokyo',
      count: 2,
    });
    expect(preview.statusCode, preview.body).toBe(200);
    for (const at of preview.json().next_runs) expect(at).toMatch(/T01:15:00\.000Z$/);
    const tz = await t.call('POST', '/api/v1/schedules/preview/', owner.key, {
      cron: '* * * * *',
      timezone: 'Mars/Base',
    });
    expect(tz.statusCode).toBe(422);
  });

  it('guards every route: 401 without a key, 404 for other users', async () => {
    const job = (
      await t.call('POST', '/api/v1/schedules/', owner.key, {
        name: 'g',
        workflow_id: wfId,
        interval_seconds: 5,
      })
    ).json();
    expect((await t.call('GET', '/api/v1/schedules/', null)).statusCode).toBe(401);
    expect(
      (
        await t.call('POST', '/api/v1/schedules/', other.key, {
          name: 'n',
          workflow_id: wfId,
          interval_seconds: 5,
        })
      ).json(),
    ).toEqual({ detail: 'Workflow not found.' });
    for (const [method, url] of [
      ['GET', `/api/v1/schedules/${job.id}/`],
      ['PATCH', `/api/v1/schedules/${job.id}/`],
      ['DELETE', `/api/v1/schedules/${job.id}/`],
      ['POST', `/api/v1/schedules/${job.id}/pause/`],
      ['POST', `/api/v1/schedules/${job.id}/resume/`],
      ['GET', `/api/v1/schedules/${job.id}/preview/`],
    ] as const) {
      expect((await t.call(method, url, null)).statusCode).toBe(401);
      const res = await t.call(method, url, other.key, method === 'PATCH' ? { name: 'x' } : undefined);
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ detail: 'Scheduled job not found.' });
    }
    await t.call('POST', '/api/v1/schedules/batch-delete/', other.key, { schedule_ids: [job.id] });
    expect((await t.call('GET', `/api/v1/schedules/${job.id}/`, owner.key)).statusCode).toBe(200);
    expect(
      (await t.call('POST', '/api/v1/schedules/batch-delete/', owner.key, { schedule_ids: [job.id] }))
        .statusCode,
    ).toBe(204);
    expect((await t.call('GET', `/api/v1/schedules/${job.id}/`, owner.key)).statusCode).toBe(404);
  });

  it('node-level start/pause/stop answer NodeOut with schedule_job', async () => {
    const base = '/api/v1/workflows/sched-api/nodes';
    expect((await t.call('POST', `${base}/tick/schedule/start/`, null)).statusCode).toBe(401);
    expect((await t.call('POST', `${base}/tick/schedule/start/`, other.key)).statusCode).toBe(404);
    const notTrigger = await t.call('POST', `${base}/work/schedule/start/`, owner.key);
    expect(notTrigger.json()).toEqual({ detail: 'Node is not a trigger_schedule.' });
    const noJob = await t.call('POST', `${base}/tick/schedule/pause/`, owner.key);
    expect(noJob.json()).toEqual({ detail: 'No scheduled job found for this node.' });
    const started = await t.call('POST', `${base}/tick/schedule/start/`, owner.key);
    expect(started.statusCode, started.body).toBe(200);
    expect(started.json()).toMatchObject({
      node_id: 'tick',
      config: { is_active: true },
      schedule_job: { status: 'active', interval_seconds: 120, total_repeats: 2 },
    });
    const graph = await t.call('GET', '/api/v1/workflows/sched-api/', owner.key);
    expect(
      graph.json().nodes.find((n: { node_id: string }) => n.node_id === 'tick').schedule_job.status,
    ).toBe('active');
    const paused = await t.call('POST', `${base}/tick/schedule/pause/`, owner.key);
    expect(paused.json().schedule_job).toMatchObject({ status: 'paused', next_run_at: null });
    expect((await t.call('POST', `${base}/tick/schedule/start/`, owner.key)).json().schedule_job.status).toBe(
      'active',
    );
    const stopped = await t.call('POST', `${base}/tick/schedule/stop/`, owner.key);
    expect(stopped.json()).toMatchObject({ schedule_job: null, config: { is_active: false } });

    // Deleting the trigger node takes its schedule with it.
    await t.call('POST', `${base}/tick/schedule/start/`, owner.key);
    const count = async () =>
      (
        await t.services.database.db
          .selectFrom('scheduled_jobs')
          .select('id')
          .where('trigger_node_id', '=', 'tick')
          .execute()
      ).length;
    expect(await count()).toBe(1);
    expect((await t.call('DELETE', `${base}/tick/`, owner.key)).statusCode).toBe(204);
    expect(await count()).toBe(0);
  });
});
