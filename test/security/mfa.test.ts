import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCodeAt, totpStep } from '../../src/auth/mfa/totp.js';
import { MFA_LOCKOUT_MS, MFA_RATE_WINDOW_MS, verifyMfaCode } from '../../src/auth/mfa/verify-mfa-code.js';
import { UsageError } from '../../src/cli/fail.js';
import { mfaResetCommand } from '../../src/cli/mfa-reset.js';
import { createTestApp, type TestApp, type TestUser } from '../helpers/test-app.js';
import { dbKinds } from '../helpers/test-database.js';

const STEP_MS = 30_000;
// A fixed clock in the middle of a 30-second step.
const T0 = Date.UTC(2030, 0, 1, 12, 0, 15);
const wrongCode = (secret: string, now: number) => {
  const right = new Set([-1, 0, 1].map((d) => totpCodeAt(secret, totpStep(now) + d)));
  for (let i = 0; ; i++) {
    const c = String(i).padStart(6, '0');
    if (!right.has(c)) return c;
  }
};

describe('TOTP algorithm', () => {
  it('matches the RFC 6238 SHA-1 test vectors (last 6 digits)', () => {
    // Secret "12345678901234567890" in base32.
    const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
    expect(totpCodeAt(secret, totpStep(59_000))).toBe('287082');
    expect(totpCodeAt(secret, totpStep(1_111_111_109_000))).toBe('081804');
    expect(totpCodeAt(secret, totpStep(1_234_567_890_000))).toBe('005924');
    expect(totpCodeAt(secret, totpStep(20_000_000_000_000))).toBe('353130');
  });
});

describe.each(dbKinds())('MFA on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, { RATE_LIMIT_PER_MINUTE: '0', RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '0' });
  });
  afterAll(async () => t?.close());

  /** A user whose (plain) secret is known, so the service can be driven with a controlled clock. */
  async function userWithSecret(): Promise<{ user: TestUser; secret: string }> {
    const user = await t.makeUser();
    const setup = await t.call('POST', '/api/v1/auth/mfa/setup/', user.key);
    expect(setup.statusCode).toBe(200);
    return { user, secret: setup.json().secret };
  }
  const verify = (userId: number, secret: string, code: string, now: number) =>
    verifyMfaCode(t.services.database.db, { userId, secret, code, now });

  it('accepts codes of the previous, current and next step only (±1 window)', async () => {
    const { user, secret } = await userWithSecret();
    const step = totpStep(T0);
    expect((await verify(user.id, secret, totpCodeAt(secret, step - 2), T0)).ok).toBe(false);
    expect((await verify(user.id, secret, totpCodeAt(secret, step + 2), T0)).ok).toBe(false);
    expect((await verify(user.id, secret, totpCodeAt(secret, step - 1), T0)).ok).toBe(true);
    const { user: u2, secret: s2 } = await userWithSecret();
    expect((await verify(u2.id, s2, totpCodeAt(s2, totpStep(T0) + 1), T0)).ok).toBe(true);
    const { user: u3, secret: s3 } = await userWithSecret();
    expect((await verify(u3.id, s3, totpCodeAt(s3, totpStep(T0)), T0)).ok).toBe(true);
  });

  it('refuses a replayed code and any code of an earlier or the same step', async () => {
    const { user, secret } = await userWithSecret();
    const step = totpStep(T0);
    const code = totpCodeAt(secret, step);
    expect((await verify(user.id, secret, code, T0)).ok).toBe(true);
    expect((await verify(user.id, secret, code, T0 + 1000)).ok).toBe(false);
    expect((await verify(user.id, secret, totpCodeAt(secret, step - 1), T0 + 2000)).ok).toBe(false);
    // The next step's code is a new code and works.
    expect((await verify(user.id, secret, totpCodeAt(secret, step + 1), T0 + STEP_MS)).ok).toBe(true);
  });

  it('allows 5 attempts per 60 s: the 6th fails even with a valid code, and works after the window', async () => {
    const { user, secret } = await userWithSecret();
    for (let i = 0; i < 5; i++) {
      expect((await verify(user.id, secret, wrongCode(secret, T0), T0 + i)).ok).toBe(false);
    }
    const valid = totpCodeAt(secret, totpStep(T0));
    expect((await verify(user.id, secret, valid, T0 + 10)).ok).toBe(false);
    const later = T0 + MFA_RATE_WINDOW_MS + 1;
    expect((await verify(user.id, secret, totpCodeAt(secret, totpStep(later)), later)).ok).toBe(true);
  });

  it('locks for 900 s after 10 consecutive failures; valid codes fail until it ends', async () => {
    const { user, secret } = await userWithSecret();
    let now = T0;
    const verdicts: boolean[] = [];
    for (let i = 0; i < 10; i++) {
      // Two attempts per rate window so the 5/60 s limit is never what refuses them.
      now = T0 + Math.floor(i / 2) * (MFA_RATE_WINDOW_MS + 1);
      const v = await verify(user.id, secret, wrongCode(secret, now), now);
      expect(v.ok).toBe(false);
      verdicts.push(v.lockedNow === true);
    }
    expect(verdicts).toEqual([false, false, false, false, false, false, false, false, false, true]);
    const lockStart = now;
    const justBefore = lockStart + MFA_LOCKOUT_MS - 1000;
    expect((await verify(user.id, secret, totpCodeAt(secret, totpStep(justBefore)), justBefore)).ok).toBe(
      false,
    );
    const after = lockStart + MFA_LOCKOUT_MS + 1;
    expect((await verify(user.id, secret, totpCodeAt(secret, totpStep(after)), after)).ok).toBe(true);
  });

  it('stores the secret encrypted and reports status', async () => {
    const { user, secret } = await userWithSecret();
    const row = await t.services.database.db
      .selectFrom('users')
      .select('totp_secret')
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(row.totp_secret).not.toContain(secret);
    expect(row.totp_secret?.startsWith('gAAAAA')).toBe(true);
    const status = await t.call('GET', '/api/v1/auth/mfa/status/', user.key);
    expect(status.json()).toEqual({ mfa_enabled: false });
  });

  it('enrols, logs in with a bound challenge, refuses login-verify without a password step', async () => {
    const user = await t.makeUser();
    const setup = await t.call('POST', '/api/v1/auth/mfa/setup/', user.key);
    const { secret, provisioning_uri, qr_svg } = setup.json();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(provisioning_uri).toContain('otpauth://totp/Pipelit');
    expect(qr_svg).toContain('<svg');

    expect((await t.call('POST', '/api/v1/auth/mfa/verify/', user.key, { code: '12' })).statusCode).toBe(422);
    const bad = await t.call('POST', '/api/v1/auth/mfa/verify/', user.key, {
      code: wrongCode(secret, Date.now()),
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ detail: 'Invalid TOTP code.' });
    const enabled = await t.call('POST', '/api/v1/auth/mfa/verify/', user.key, {
      code: totpCodeAt(secret, totpStep(Date.now()) - 1),
    });
    expect(enabled.statusCode).toBe(200);
    expect(enabled.json().mfa_enabled).toBe(true);
    const recovery: string[] = enabled.json().recovery_codes;
    expect(recovery).toHaveLength(10);
    const stored = await t.services.database.db
      .selectFrom('mfa_recovery_codes')
      .select('code_hash')
      .where('user_id', '=', user.id)
      .execute();
    expect(stored.map((r) => r.code_hash)).not.toContain(recovery[0]);
    expect((await t.call('POST', '/api/v1/auth/mfa/setup/', user.key)).statusCode).toBe(400);

    // No password step yet: even the right code is refused.
    const code = totpCodeAt(secret, totpStep(Date.now()));
    const noChallenge = await t.call('POST', '/api/v1/auth/mfa/login-verify/', null, {
      username: user.username,
      code,
    });
    expect(noChallenge.statusCode).toBe(401);

    const login = await t.call('POST', '/api/v1/auth/token/', null, {
      username: user.username,
      password: user.password,
    });
    expect(login.json()).toMatchObject({ key: '', requires_mfa: true });
    const token: string = login.json().mfa_token;
    expect(token.length).toBeGreaterThanOrEqual(32);

    // A token of another user's challenge does not help.
    const other = await t.call('POST', '/api/v1/auth/mfa/login-verify/', null, {
      username: user.username,
      code: '000000',
      mfa_token: 'not-the-token',
    });
    expect(other.statusCode).toBe(401);

    const ok = await t.call('POST', '/api/v1/auth/mfa/login-verify/', null, {
      username: user.username,
      code: totpCodeAt(secret, totpStep(Date.now()) + 1),
      mfa_token: token,
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().requires_mfa).toBe(false);
    expect((await t.call('GET', '/api/v1/auth/me/', ok.json().key)).json().mfa_enabled).toBe(true);
    // The challenge is consumed.
    const again = await t.call('POST', '/api/v1/auth/mfa/login-verify/', null, {
      username: user.username,
      code: recovery[0],
      mfa_token: token,
    });
    expect(again.statusCode).toBe(401);

    // Reference client: only {username, code}, same address, after a password step. Recovery code, once.
    await t.call('POST', '/api/v1/auth/token/', null, { username: user.username, password: user.password });
    const rec = await t.call('POST', '/api/v1/auth/mfa/login-verify/', null, {
      username: user.username,
      code: recovery[0].toUpperCase(),
    });
    expect(rec.statusCode).toBe(200);
    await t.call('POST', '/api/v1/auth/token/', null, { username: user.username, password: user.password });
    const reuse = await t.call('POST', '/api/v1/auth/mfa/login-verify/', null, {
      username: user.username,
      code: recovery[0],
    });
    expect(reuse.statusCode).toBe(401);

    // A challenge from another address does not count for the address-bound form.
    await t.call('POST', '/api/v1/auth/token/', null, { username: user.username, password: user.password });
    const elsewhere = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/mfa/login-verify/',
      remoteAddress: '10.9.8.7',
      payload: { username: user.username, code: recovery[1] },
    });
    expect(elsewhere.statusCode).toBe(401);

    const audit = await t.call('GET', `/api/v1/audit/?user_id=${user.id}&limit=100`, t.admin.key);
    const actions = audit.json().items.map((e: { action: string }) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'mfa.enabled',
        'mfa.login_succeeded',
        'mfa.recovery_code_used',
        'mfa.login_failed',
      ]),
    );
  });

  it('disables with a valid code only; non-MFA users cannot use login-verify', async () => {
    const { user, secret } = await userWithSecret();
    await t.call('POST', '/api/v1/auth/mfa/verify/', user.key, {
      code: totpCodeAt(secret, totpStep(Date.now()) - 1),
    });
    const bad = await t.call('POST', '/api/v1/auth/mfa/disable/', user.key, {
      code: wrongCode(secret, Date.now()),
    });
    expect(bad.statusCode).toBe(400);
    const ok = await t.call('POST', '/api/v1/auth/mfa/disable/', user.key, {
      code: totpCodeAt(secret, totpStep(Date.now()) + 1),
    });
    expect(ok.json()).toEqual({ mfa_enabled: false });
    expect((await t.call('POST', '/api/v1/auth/mfa/disable/', user.key, { code: '123456' })).statusCode).toBe(
      400,
    );
    const plain = await t.makeUser();
    const lv = await t.call('POST', '/api/v1/auth/mfa/login-verify/', null, {
      username: plain.username,
      code: '123456',
    });
    expect(lv.statusCode).toBe(401);
  });

  it('resets MFA only through `pipelit mfa-reset` (CLI), and records it', async () => {
    const { user, secret } = await userWithSecret();
    await t.call('POST', '/api/v1/auth/mfa/verify/', user.key, {
      code: totpCodeAt(secret, totpStep(Date.now())),
    });
    const saved = { DATABASE_URL: process.env.DATABASE_URL, PIPELIT_DIR: process.env.PIPELIT_DIR };
    const write = process.stdout.write;
    let printed = '';
    process.env.DATABASE_URL = t.database.url;
    process.env.PIPELIT_DIR = t.database.dir;
    process.stdout.write = ((chunk: string) => {
      printed += chunk;
      return true;
    }) as typeof process.stdout.write;
    try {
      await mfaResetCommand({ username: user.username });
      await expect(mfaResetCommand({ username: 'no-such-user' })).rejects.toBeInstanceOf(UsageError);
    } finally {
      process.stdout.write = write;
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
    expect(JSON.parse(printed)).toEqual({ username: user.username, mfa_enabled: false });
    const row = await t.services.database.db
      .selectFrom('users')
      .select(['mfa_enabled', 'totp_secret'])
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(row.totp_secret).toBeNull();
    expect((await t.call('GET', '/api/v1/auth/mfa/status/', user.key)).json()).toEqual({
      mfa_enabled: false,
    });
    const audit = await t.call('GET', '/api/v1/audit/?action=mfa.reset', t.admin.key);
    expect(audit.json().items.some((e: { target: string }) => e.target === `user:${user.id}`)).toBe(true);
  });

  it('answers 401 without a key and has no HTTP reset route', async () => {
    for (const [m, u] of [
      ['GET', '/api/v1/auth/mfa/status/'],
      ['POST', '/api/v1/auth/mfa/setup/'],
      ['POST', '/api/v1/auth/mfa/verify/'],
      ['POST', '/api/v1/auth/mfa/disable/'],
    ] as const) {
      expect((await t.call(m, u)).statusCode).toBe(401);
    }
    expect((await t.call('POST', '/api/v1/auth/mfa/reset/', t.admin.key)).statusCode).toBe(404);
  });
});
