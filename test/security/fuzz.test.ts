/**
 * Property-based fuzzing of EVERY registered route (the list grows with each feature): generated path
 * segments, query strings, headers and bodies, with and without a valid key. Invariants:
 * no 5xx, no stack trace or internal error text in the body, no response slower than 1 s, and a
 * rejected (4xx) request writes nothing — row counts of every table are unchanged, except the
 * security bookkeeping that exists to record rejections (audit_events, auth_throttles).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestUser } from '../helpers/test-app.js';
import { callableRoutes, fillPath } from './routes.js';

const RUNS_PER_ROUTE = 25;
const MAX_MS = 1000;
/**
 * Routes that do slow work on purpose, with their own bound (keep this list short and explained):
 * re-probing the host environment spawns processes (~1.1 s on the 2-core CI machine).
 */
const SLOW_BY_DESIGN: Record<string, number> = { 'POST /api/v1/settings/recheck-environment': 5000 };
const WRITES_ALLOWED_ON_REJECTION = new Set(['audit_events', 'auth_throttles']);
const LEAK =
  /\n\s+at |node_modules|[\w/-]+\.[jt]s:\d+|SqliteError|TypeError|ReferenceError|RangeError|SyntaxError: (?!Unexpected|Expected|Bad)|Internal server error|sqlite_|syntax error at or near/i;

const printable = fc.string({
  unit: fc.constantFrom(...' abcxyz019-_./%:;\'"<>{}[]=&?#@!~'.split('')),
  maxLength: 30,
});
const segment = fc.oneof(
  fc.constant('1'),
  fc.integer({ min: -3, max: 3 }).map(String),
  fc.constantFrom(
    '0',
    '999999999999999999999',
    '1e309',
    'NaN',
    'me',
    'null',
    '..',
    '%2e%2e',
    "1' or '1'='1",
    '%00',
    'a'.repeat(300),
  ),
  fc.uuid(),
  fc.string({ maxLength: 20 }).map(encodeURIComponent),
);
const jsonish = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.record(
    {
      username: fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.constant('admin')),
      password: fc.oneof(fc.string({ maxLength: 20 }), fc.constant(null)),
      code: fc.oneof(fc.stringMatching(/^\d{6}$/), fc.string({ maxLength: 12 })),
      name: fc.oneof(fc.string({ maxLength: 200 }), fc.integer()),
      role: fc.oneof(fc.constantFrom('admin', 'normal', 'root'), fc.integer()),
      limit: fc.oneof(fc.integer(), fc.string({ maxLength: 5 })),
      expires_at: fc.oneof(
        fc.string({ maxLength: 30 }),
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      ),
      mfa_token: fc.string({ maxLength: 50 }),
    },
    { requiredKeys: [] },
  ),
);
const body = fc.oneof(
  fc.constant({ kind: 'none' as const }),
  jsonish.map((v) => ({ kind: 'json' as const, text: JSON.stringify(v) ?? 'null' })),
  printable.map((text) => ({ kind: 'raw' as const, text })),
);
const query = fc.dictionary(
  fc.constantFrom('limit', 'offset', 'action', 'user_id', 'token', 'api_key', 'q', 'status', 'x'),
  fc.oneof(printable, fc.integer().map(String)),
  { maxKeys: 4 },
);
const headers = fc.record(
  {
    'content-type': fc.constantFrom(
      'application/json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/json; charset=latin1',
      'application/vnd.api+json',
    ),
    accept: fc.constantFrom('*/*', 'text/html', 'application/json'),
    origin: fc.constantFrom('https://evil.example', 'null', 'http://localhost'),
    'x-forwarded-for': fc.constantFrom('1.2.3.4', '::1', 'garbage', '127.0.0.1, 10.0.0.1'),
    'x-forwarded-proto': fc.constantFrom('https', 'http', 'gopher'),
    host: fc.constantFrom('localhost', 'localhost:8000', 'evil.example', '[::1]:80'),
    'x-request-id': printable,
  },
  { requiredKeys: [] },
);
const auth = fc.constantFrom('none', 'admin', 'user', 'bad', 'malformed');

describe('fuzzing every route', () => {
  let t: TestApp;
  let user: TestUser;
  let tables: string[];
  beforeAll(async () => {
    t = await createTestApp('sqlite', { RATE_LIMIT_PER_MINUTE: '0', RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '0' });
    user = await t.makeUser();
    tables = (await t.services.database.db.introspection.getTables()).map((x) => x.name);
  });
  afterAll(async () => t?.close());

  async function rowCounts(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    const { db } = t.services.database;
    for (const name of tables) {
      if (WRITES_ALLOWED_ON_REJECTION.has(name)) continue;
      const row = await db
        .selectFrom(name as 'users')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      out[name] = Number(row.n);
    }
    return out;
  }

  it('never answers 5xx, leaks internals, takes over 1 s, or writes on a 4xx', {
    timeout: 120_000,
  }, async () => {
    const routes = callableRoutes(t.app.registeredRoutes).filter((r) => !r.websocket);
    expect(routes.length).toBeGreaterThan(15);
    // One warm-up call per route first: a cold cache (e.g. the settings environment probe, ~1.2 s on
    // first use) is not what the 1 s bound is about.
    for (const route of routes) {
      if (route.method === 'GET') {
        await t.app.inject({
          method: 'GET',
          url: fillPath(route.url, () => '1'),
          headers: { authorization: `Bearer ${t.admin.key}` },
        });
      }
    }
    for (const route of routes) {
      await fc.assert(
        fc.asyncProperty(
          fc.array(segment, { minLength: 4, maxLength: 4 }),
          query,
          headers,
          body,
          auth,
          async (segs, q, hdrs, b, who) => {
            const path = fillPath(route.url, (_n, i) => segs[i % segs.length]);
            const qs = new URLSearchParams(q).toString();
            const h: Record<string, string> = { ...hdrs };
            if (who === 'admin') h.authorization = `Bearer ${t.admin.key}`;
            if (who === 'user') h.authorization = `Bearer ${user.key}`;
            if (who === 'bad') h.authorization = 'Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
            if (who === 'malformed') h.authorization = 'Basic Zm9vOmJhcg==';
            if (b.kind === 'none') delete h['content-type'];
            const before = await rowCounts();
            const started = performance.now();
            const res = await t.app.inject({
              method: route.method as 'GET',
              url: qs ? `${path}?${qs}` : path,
              headers: h,
              payload: b.kind === 'none' ? undefined : b.text,
            });
            const ms = performance.now() - started;
            const where = `${route.method} ${route.url} → ${res.statusCode} ${res.body.slice(0, 200)}`;
            expect(res.statusCode, where).toBeLessThan(500);
            expect(res.body, where).not.toMatch(LEAK);
            const bound = SLOW_BY_DESIGN[`${route.method} ${route.url.replace(/\/$/, '')}`] ?? MAX_MS;
            expect(ms, where).toBeLessThan(bound);
            if (res.statusCode >= 400) expect(await rowCounts(), where).toEqual(before);
          },
        ),
        { numRuns: RUNS_PER_ROUTE, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31) },
      );
    }
  });
});
