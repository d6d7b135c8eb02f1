import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { dbKinds } from '../helpers/test-database.js';

describe.each(dbKinds())('/api/v1/retention on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, {
      EXECUTION_RETENTION_DAYS_SUCCESS: '7',
      EXECUTION_RETENTION_MAX_COUNT_FAILED: '0',
    });
  });
  afterAll(async () => t?.close());

  it('shows the environment defaults when nothing is overridden', async () => {
    const res = await t.call('GET', '/api/v1/retention/', t.admin.key);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.defaults).toEqual({
      days_success: 7,
      days_failed: 30,
      max_count_success: 10_000,
      max_count_failed: 0,
    });
    expect(body.overrides).toEqual({
      days_success: null,
      days_failed: null,
      max_count_success: null,
      max_count_failed: null,
    });
    expect(body.effective).toEqual(body.defaults);
    expect(body).toMatchObject({
      prune_batch_size: 500,
      max_stored_payload_bytes: 262_144,
      updated_at: null,
    });
  });

  it('stores overrides, resets one with null, and validates input', async () => {
    const patched = await t.call('PATCH', '/api/v1/retention', t.admin.key, {
      days_success: 3,
      max_count_failed: 250,
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json().effective).toEqual({
      days_success: 3,
      days_failed: 30,
      max_count_success: 10_000,
      max_count_failed: 250,
    });
    expect(patched.json().updated_at).toEqual(expect.any(String));

    const reset = await t.call('PATCH', '/api/v1/retention/', t.admin.key, { days_success: null });
    expect(reset.json().effective.days_success).toBe(7);
    expect(reset.json().overrides).toMatchObject({ days_success: null, max_count_failed: 250 });
    const again = await t.call('GET', '/api/v1/retention/', t.admin.key);
    expect(again.json().effective.max_count_failed).toBe(250);

    for (const bad of [
      { days_success: -1 },
      { days_failed: 1.5 },
      { max_count_success: 'ten' },
      { other: 1 },
    ]) {
      const res = await t.call('PATCH', '/api/v1/retention/', t.admin.key, bad);
      expect(res.statusCode, JSON.stringify(bad)).toBe(422);
    }
  });

  it('is for admins only', async () => {
    expect((await t.call('GET', '/api/v1/retention/')).statusCode).toBe(401);
    expect((await t.call('PATCH', '/api/v1/retention/', null, { days_success: 1 })).statusCode).toBe(401);
    const user = await t.makeUser();
    expect((await t.call('GET', '/api/v1/retention/', user.key)).statusCode).toBe(403);
    const denied = await t.call('PATCH', '/api/v1/retention/', user.key, { days_success: 1 });
    expect(denied.statusCode).toBe(403);
    expect((await t.call('GET', '/api/v1/retention/', t.admin.key)).json().effective.days_success).toBe(7);
  });
});
