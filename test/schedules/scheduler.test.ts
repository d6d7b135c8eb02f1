/**
 * Scheduler semantics with a controllable clock: repeats then `done`, pause/resume, backoff after
 * failed workflow runs then `dead`, exactly-once ticks with two schedulers, cron in a time zone,
 * overlap skip, timeout and start-up recovery. Executions really run (in-process engine).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertExecution } from '../../src/engine/execution-store.js';
import { consumeExecutions } from '../../src/engine/execution-worker.js';
import { DEFAULT_CONCURRENCY } from '../../src/runtime.js';
import { createSchedule, pauseSchedule, resumeSchedule } from '../../src/schedules/schedule-actions.js';
import { type Clock, Scheduler } from '../../src/schedules/scheduler.js';
import { seedWorkflow } from '../helpers/seed-workflow.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { dbKinds } from '../helpers/test-database.js';

class FakeClock implements Clock {
  constructor(public ms: number) {}
  now() {
    return this.ms;
  }
  advance(seconds: number) {
    this.ms += seconds * 1000;
  }
  iso() {
    return new Date(this.ms).toISOString();
  }
}

describe.each(dbKinds())('scheduler on %s', (kind) => {
  let t: TestApp;
  let okWf: number;
  let failWf: number;
  beforeAll(async () => {
    t = await createTestApp(kind);
    // Run executions in-process, but no server runtime: its real-clock scheduler would interfere.
    consumeExecutions(t.services, DEFAULT_CONCURRENCY.server);
    const db = t.services.database.db;
    okWf = await seedWorkflow(db, t.admin.id, {
      slug: 'sched-ok',
      nodes: [
        { id: 'tick', type: 'trigger_schedule' },
        { id: 'work', type: 'code', extra: { code: 'return { n: trigger.repeat_number };' } },
      ],
      edges: [{ from: 'tick', to: 'work' }],
    });
    failWf = await seedWorkflow(db, t.admin.id, {
      slug: 'sched-fail',
      nodes: [
        { id: 'tick', type: 'trigger_schedule' },
        { id: 'boom', type: 'code', extra: { code: 'throw new Error("always broken");' } },
      ],
      edges: [{ from: 'tick', to: 'boom' }],
    });
  });
  afterAll(async () => t?.close());

  const row = (id: string) =>
    t.services.database.db
      .selectFrom('scheduled_jobs')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();

  /** Ticks until no tick of the schedule is in flight (executions run in real time). */
  async function settle(s: Scheduler, id: string) {
    const deadline = Date.now() + 15_000;
    for (;;) {
      await s.tick();
      const r = await row(id);
      if (!r.pending_execution_id) return r;
      if (Date.now() > deadline)
        throw new Error(`schedule ${id} still waiting for ${r.pending_execution_id}`);
      await new Promise((res) => setTimeout(res, 25));
    }
  }

  const executionsOf = async (scheduleId: string) => {
    const rows = await t.services.database.db
      .selectFrom('executions')
      .select(['trigger_payload', 'status'])
      .execute();
    return rows.filter((r) => JSON.parse(r.trigger_payload).scheduled_job_id === scheduleId);
  };

  it('fires every interval (first run one interval after start), N times, then is done', async () => {
    const clock = new FakeClock(Date.parse('2031-03-01T00:00:00Z'));
    const s = new Scheduler(t.services, { clock });
    const job = await createSchedule(
      t.services.database.db,
      { name: 'three', workflowId: okWf, userId: t.admin.id, intervalSeconds: 60, totalRepeats: 3 },
      clock,
    );
    expect(job.next_run_at).toBe('2031-03-01T00:01:00.000Z');
    clock.advance(59);
    expect((await s.tick()).fired).toEqual([]);
    for (let i = 1; i <= 3; i++) {
      clock.advance(i === 1 ? 1 : 60);
      const report = await s.tick();
      expect(report.fired.map((f) => f.scheduleId)).toEqual([job.id]);
      const r = await settle(s, job.id);
      expect(r.run_count).toBe(i);
      expect(r.current_repeat).toBe(i);
    }
    const done = await row(job.id);
    expect(done.status).toBe('done');
    expect(done.next_run_at).toBeNull();
    clock.advance(600);
    expect((await s.tick()).fired).toEqual([]);
    const runs = await executionsOf(job.id);
    expect(runs).toHaveLength(3);
    expect(runs.every((r) => r.status === 'completed')).toBe(true);
    expect(runs.map((r) => JSON.parse(r.trigger_payload).repeat_number).sort()).toEqual([0, 1, 2]);
  });

  it('pause stops ticks; resume starts again one interval later', async () => {
    const clock = new FakeClock(Date.parse('2031-04-01T00:00:00Z'));
    const s = new Scheduler(t.services, { clock });
    const db = t.services.database.db;
    const job = await createSchedule(
      db,
      { name: 'p', workflowId: okWf, userId: t.admin.id, intervalSeconds: 30 },
      clock,
    );
    const paused = await pauseSchedule(db, job, clock);
    expect(paused.status).toBe('paused');
    expect(paused.next_run_at).toBeNull();
    await expect(pauseSchedule(db, paused, clock)).rejects.toThrow("Cannot pause job with status 'paused'.");
    clock.advance(300);
    expect((await s.tick()).fired).toEqual([]);
    const resumed = await resumeSchedule(db, paused, clock);
    expect(resumed.status).toBe('active');
    expect(resumed.next_run_at).toBe(new Date(clock.ms + 30_000).toISOString());
    clock.advance(30);
    expect((await s.tick()).fired.map((f) => f.scheduleId)).toEqual([job.id]);
    expect((await settle(s, job.id)).run_count).toBe(1);
    await db
      .updateTable('scheduled_jobs')
      .set({ status: 'paused', next_run_at: null })
      .where('id', '=', job.id)
      .execute();
  });

  it('a failing workflow counts as a failed tick: backoff min(i·2^(r−1), 10·i), then dead', async () => {
    const clock = new FakeClock(Date.parse('2031-05-01T00:00:00Z'));
    const s = new Scheduler(t.services, { clock });
    const job = await createSchedule(
      t.services.database.db,
      { name: 'f', workflowId: failWf, userId: t.admin.id, intervalSeconds: 10, maxRetries: 3 },
      clock,
    );
    clock.advance(10);
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 4; attempt++) {
      expect((await s.tick()).fired).toHaveLength(1);
      const firedAt = clock.ms;
      const r = await settle(s, job.id);
      expect(r.error_count).toBe(attempt);
      expect(r.run_count).toBe(0);
      expect(r.last_error).toContain('always broken');
      if (attempt <= 3) {
        expect(r.current_retry).toBe(attempt);
        const delay = (Date.parse(r.next_run_at!) - firedAt) / 1000;
        delays.push(delay);
        clock.advance(delay - 1);
        expect((await s.tick()).fired).toEqual([]); // not before the backoff
        clock.advance(1);
      } else {
        expect(r.status).toBe('dead');
        expect(r.next_run_at).toBeNull();
      }
    }
    expect(delays).toEqual([10, 20, 40]);
    const { backoffSeconds } = await import('../../src/schedules/timing.js');
    expect([1, 2, 3, 4, 5, 6].map((r) => backoffSeconds(10, r))).toEqual([10, 20, 40, 80, 100, 100]);
    expect(backoffSeconds(300, 10)).toBe(3000);
  });

  it('two schedulers polling the same database fire each tick exactly once', async () => {
    const clock = new FakeClock(Date.parse('2031-06-01T00:00:00Z'));
    const a = new Scheduler(t.services, { clock });
    const b = new Scheduler(t.services, { clock });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const job = await createSchedule(
        t.services.database.db,
        { name: `dup${i}`, workflowId: okWf, userId: t.admin.id, intervalSeconds: 60, totalRepeats: 2 },
        clock,
      );
      ids.push(job.id);
    }
    for (let round = 1; round <= 2; round++) {
      clock.advance(60);
      const [ra, rb, rc, rd] = await Promise.all([a.tick(), b.tick(), a.tick(), b.tick()]);
      const fired = [...ra.fired, ...rb.fired, ...rc.fired, ...rd.fired].map((f) => f.scheduleId);
      expect(fired.sort()).toEqual([...ids].sort());
      for (const id of ids) await settle(a, id);
    }
    for (const id of ids) {
      expect(await executionsOf(id)).toHaveLength(2);
      expect((await row(id)).status).toBe('done');
    }
  });

  it('a cron schedule fires at the matching minutes of its time zone', async () => {
    const clock = new FakeClock(Date.parse('2031-01-06T00:00:00Z'));
    const s = new Scheduler(t.services, { clock });
    const job = await createSchedule(
      t.services.database.db,
      { name: 'c', workflowId: okWf, userId: t.admin.id, cron: '30 9 * * 1-5', timezone: 'America/New_York' },
      clock,
    );
    // 09:30 in New York in January is 14:30 UTC; 2031-01-06 is a Monday.
    expect(job.next_run_at).toBe('2031-01-06T14:30:00.000Z');
    clock.ms = Date.parse('2031-01-06T14:29:00Z');
    expect((await s.tick()).fired).toEqual([]);
    clock.ms = Date.parse('2031-01-06T14:30:00Z');
    expect((await s.tick()).fired).toHaveLength(1);
    const r = await settle(s, job.id);
    expect(r.next_run_at).toBe('2031-01-07T14:30:00.000Z');
    // Friday's run is followed by Monday's.
    clock.ms = Date.parse('2031-01-10T14:30:00Z');
    await t.services.database.db
      .updateTable('scheduled_jobs')
      .set({ next_run_at: '2031-01-10T14:30:00.000Z' })
      .where('id', '=', job.id)
      .execute();
    expect((await s.tick()).fired).toHaveLength(1);
    expect((await settle(s, job.id)).next_run_at).toBe('2031-01-13T14:30:00.000Z');
    await t.services.database.db
      .updateTable('scheduled_jobs')
      .set({ status: 'paused', next_run_at: null })
      .where('id', '=', job.id)
      .execute();
  });

  it('skips a tick while the previous run still goes, and fails a run past timeout_seconds', async () => {
    const clock = new FakeClock(Date.parse('2031-07-01T00:00:00Z'));
    const s = new Scheduler(t.services, { clock });
    const db = t.services.database.db;
    const job = await createSchedule(
      db,
      { name: 'slow', workflowId: okWf, userId: t.admin.id, intervalSeconds: 60, timeoutSeconds: 150 },
      clock,
    );
    // A run that never finishes (nobody executes this row).
    const stuck = await insertExecution(db, {
      workflowId: okWf,
      triggerNodeId: 'tick',
      userId: t.admin.id,
      payload: {},
    });
    await db
      .updateTable('executions')
      .set({ status: 'running', lease_owner: 'elsewhere' })
      .where('execution_id', '=', stuck.execution_id)
      .execute();
    await db
      .updateTable('scheduled_jobs')
      .set({ pending_execution_id: stuck.execution_id, last_run_at: clock.iso() })
      .where('id', '=', job.id)
      .execute();
    clock.advance(60);
    const report = await s.tick();
    expect(report.skipped).toEqual([job.id]);
    expect(report.fired).toEqual([]);
    expect((await row(job.id)).next_run_at).toBe(new Date(clock.ms + 60_000).toISOString());
    clock.advance(91);
    const late = await s.tick();
    expect(late.failed).toEqual([job.id]);
    const r = await row(job.id);
    expect(r.last_error).toMatch(/timeout_seconds \(150 s\)/);
    expect(r.current_retry).toBe(1);
    const exec = await db
      .selectFrom('executions')
      .select('status')
      .where('execution_id', '=', stuck.execution_id)
      .executeTakeFirstOrThrow();
    expect(exec.status).toBe('cancelled');
    await db
      .updateTable('scheduled_jobs')
      .set({ status: 'paused', next_run_at: null })
      .where('id', '=', job.id)
      .execute();
  });

  it('start-up recovery counts past-due schedules and runs each once', async () => {
    const clock = new FakeClock(Date.parse('2031-08-01T00:00:00Z'));
    const db = t.services.database.db;
    const job = await createSchedule(
      db,
      { name: 'late', workflowId: okWf, userId: t.admin.id, intervalSeconds: 60 },
      clock,
    );
    clock.advance(3600); // nobody ran a scheduler for an hour: 60 missed ticks
    const s = new Scheduler(t.services, { clock });
    expect(await s.recover()).toBe(1);
    expect((await s.tick()).fired.map((f) => f.scheduleId)).toEqual([job.id]);
    const r = await settle(s, job.id);
    expect(r.run_count).toBe(1);
    expect(r.next_run_at).toBe(new Date(clock.ms + 60_000).toISOString());
    await db
      .updateTable('scheduled_jobs')
      .set({ status: 'paused', next_run_at: null })
      .where('id', '=', job.id)
      .execute();
  });
});
