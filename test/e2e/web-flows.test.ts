/**
 * The web app against a running engine and the mock LLM: MFA enrolment and login with a TOTP code,
 * an LLM credential created and tested, an agent answering in the chat panel with a streamed
 * reply, a failed run's execution detail, confirmations inside a loop answered on the execution page,
 * and two browsers seeing each other's edits live.
 */
import { createHmac } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockLlmServer, startMockLlmServer } from '../helpers/mock-llm-server.js';
import { seedWorkflow, waitForStatus } from '../helpers/seed-workflow.js';
import {
  apiKeyOf,
  assertSpaBuilt,
  browserSkipReason,
  ConsoleWatch,
  type E2eServer,
  eventually,
  launchChromium,
  screenshot,
  startServer,
} from './harness.js';

const skipReason = browserSkipReason();
if (skipReason) console.log(`[e2e] SKIPPING browser tests: ${skipReason}`);

const ADMIN = { username: 'flows-admin', password: 'e2e-flows-password' };

/** RFC 6238 TOTP (HMAC-SHA1, 30 s, 6 digits) of a base32 secret at a given time step. */
function totp(secret: string, step: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of secret.replace(/=+$/, '').toUpperCase()) {
    bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  }
  const bytes = Buffer.from(bits.match(/.{8}/g)?.map((b) => Number.parseInt(b, 2)) ?? []);
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', bytes).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const code = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(code).padStart(6, '0');
}

describe.skipIf(Boolean(skipReason))('web app flows against the engine in chromium', () => {
  let server: E2eServer;
  let mock: MockLlmServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let watch: ConsoleWatch;
  let adminId = 0;
  let credentialId = 0;

  const db = () => server.services.database.db;
  const login = async (p: Page) => {
    await p.goto('/login');
    await p.getByLabel('Username').fill(ADMIN.username);
    await p.getByLabel('Password').fill(ADMIN.password);
    await p.getByRole('button', { name: 'Sign in' }).click();
  };

  beforeAll(async () => {
    assertSpaBuilt();
    [server, mock] = await Promise.all([startServer(), startMockLlmServer()]);
    const setup = await server.app.inject({ method: 'POST', url: '/api/v1/auth/setup/', payload: ADMIN });
    if (setup.statusCode >= 300) throw new Error(`setup failed: ${setup.body}`);
    const row = await db()
      .selectFrom('users')
      .select('id')
      .where('username', '=', ADMIN.username)
      .executeTakeFirst();
    adminId = Number(row?.id);
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL: server.url });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    watch = new ConsoleWatch(server.app);
    watch.attach(page, 'flows');
    await login(page);
    await page.getByRole('heading', { name: 'Workflows' }).waitFor();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await mock?.close();
  });

  it('MFA: enrol in settings with a TOTP code, log out, log in with password and code', async () => {
    await page.goto('/settings');
    await page.getByRole('button', { name: 'Enable MFA' }).click();
    const secret = ((await page.getByTestId('mfa-secret').textContent()) ?? '').trim();
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    const step = Math.floor(Date.now() / 30_000);
    await page.getByLabel('Code from the app').fill(totp(secret, step));
    await page.getByRole('button', { name: 'Verify and enable' }).click();
    await page
      .getByRole('button', { name: 'Disable MFA' })
      .waitFor()
      .catch(async (err) => {
        console.log('MFA alerts:', await page.getByRole('alert').allTextContents());
        throw err;
      });
    await screenshot(page, '20-settings-mfa-enabled');

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL('**/login');
    await page.getByLabel('Username').fill(ADMIN.username);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const codeField = page.getByLabel('6-digit code from your authenticator app');
    await codeField.waitFor();
    await screenshot(page, '21-login-mfa-step');
    // The enrolment used this step; a code is single-use, so log in with the next one (±1 window).
    await codeField.fill(totp(secret, step + 1));
    await page.getByRole('button', { name: /verify|sign in/i }).click();
    await page.getByRole('heading', { name: 'Workflows' }).waitFor();
  }, 60_000);

  it('creates an LLM credential against the mock provider and tests it (OK)', async () => {
    await page.goto('/credentials');
    await page.getByRole('heading', { name: 'Credentials' }).waitFor();
    const form = page.getByRole('form', { name: 'New credential' });
    await form.getByLabel('Credential name').fill('mock-openai');
    await form.getByLabel('Provider').selectOption('openai');
    await form.getByLabel('API key').fill('sk-e2e-secret-value-123456');
    await form.getByLabel('Base URL').fill(mock.openaiBase);
    await form.getByRole('button', { name: 'Create credential' }).click();
    const row = page.getByTestId('credential-mock-openai');
    await row.waitFor();
    // The secret is never shown back.
    expect(await page.content()).not.toContain('sk-e2e-secret-value-123456');
    await row.getByRole('button', { name: /^Test/ }).click();
    await eventually(async () =>
      expect(await row.getByTestId('credential-test-result').textContent()).toBe('OK'),
    );
    await screenshot(page, '22-credentials-tested');
    const creds = await db()
      .selectFrom('credentials')
      .select('id')
      .where('name', '=', 'mock-openai')
      .execute();
    credentialId = Number(creds[0]?.id);
    expect(credentialId).toBeGreaterThan(0);
  }, 60_000);

  it('an agent workflow answers in the chat panel with a streamed reply', async () => {
    const slug = `chat-${Date.now().toString(36)}`;
    await seedWorkflow(db(), adminId, {
      slug,
      nodes: [
        { id: 'chat', type: 'trigger_chat' },
        { id: 'agent', type: 'agent', config: { system_prompt: 'You are helpful.' } },
        {
          id: 'model',
          type: 'ai_model',
          config: { llm_credential_id: credentialId, model_name: 'gpt-4o-mini', max_retries: 1, timeout: 5 },
        },
      ],
      edges: [
        { from: 'chat', to: 'agent' },
        { from: 'model', to: 'agent', label: 'llm' },
      ],
    });
    const reply = 'Hello from the mock model, streamed in several pieces.';
    mock.script({ text: reply });
    await page.goto(`/workflows/${slug}`);
    await page.locator('[data-component-type="ai_model"]').waitFor();
    await page.getByText('Live: connected').waitFor();

    // The model node's panel: the credential picker and the provider's model list.
    await page.locator('[data-component-type="ai_model"]').click();
    const details = page.getByRole('complementary', { name: 'Node details' });
    // The credential list loads after the panel opens.
    await eventually(async () =>
      expect(await details.getByLabel('LLM credential').inputValue()).toBe(String(credentialId)),
    );
    await eventually(async () =>
      expect(await details.getByTestId('model-options').locator('option').count()).toBeGreaterThan(0),
    );

    await page.getByRole('button', { name: 'Chat panel' }).click();
    const chat = page.getByRole('complementary', { name: 'Chat' });
    await chat.getByLabel('Message').fill('Say hello');
    await chat.getByRole('button', { name: 'Send' }).click();
    const answer = chat.getByTestId('chat-reply').last();
    await eventually(async () => expect(await answer.textContent()).toContain(reply), 20_000);
    await eventually(async () => expect(await answer.getAttribute('data-done')).toBe('true'));
    await screenshot(page, '23-editor-chat');
    // The reply was streamed: the mock sent it in several chunks, each a chat_token event.
    const last = mock.requests.at(-1);
    expect(last?.body?.stream).toBe(true);
  }, 60_000);

  it('the execution detail of a failed run shows the error', async () => {
    const slug = `fails-${Date.now().toString(36)}`;
    await seedWorkflow(db(), adminId, {
      slug,
      nodes: [
        { id: 'start', type: 'trigger_manual' },
        { id: 'broken', type: 'code', extra: { code: '' } },
      ],
      edges: [{ from: 'start', to: 'broken' }],
    });
    const key = await apiKeyOf(server, ADMIN.username);
    const res = await server.app.inject({
      method: 'POST',
      url: `/api/v1/workflows/${slug}/execute/`,
      headers: { authorization: `Bearer ${key}` },
      payload: { trigger_node_id: 'start' },
    });
    expect(res.statusCode, res.body).toBeLessThan(300);
    const id = res.json().execution_id as string;
    await waitForStatus(db(), id, ['failed'], 20_000);
    await page.goto(`/executions/${id}`);
    await page.getByRole('heading', { name: 'Timeline' }).waitFor();
    await page.getByRole('alert').filter({ hasText: 'No code provided' }).first().waitFor();
    expect(await page.getByTestId('execution-status').textContent()).toBe('failed');
    await page
      .getByTestId('log-broken')
      .getByRole('button', { name: /Details/ })
      .click();
    await page.getByRole('button', { name: 'Re-run' }).waitFor();
    await screenshot(page, '24-execution-failed');
  }, 60_000);

  it('approves and denies a confirmation per loop item on the execution page', async () => {
    const slug = `approve-each-${Date.now().toString(36)}`;
    await seedWorkflow(db(), adminId, {
      slug,
      nodes: [
        { id: 'start', type: 'trigger_manual' },
        { id: 'each', type: 'loop', extra: { source_node: 'start', field: 'payload.items' } },
        { id: 'ask', type: 'human_confirmation', extra: { prompt: 'Send the invoice to {{ loop.item }}?' } },
      ],
      edges: [
        { from: 'start', to: 'each' },
        { from: 'each', to: 'ask', label: 'loop_body' },
        { from: 'ask', to: 'each', label: 'loop_return' },
      ],
    });
    const key = await apiKeyOf(server, ADMIN.username);
    const res = await server.app.inject({
      method: 'POST',
      url: `/api/v1/workflows/${slug}/execute/`,
      headers: { authorization: `Bearer ${key}` },
      payload: { trigger_node_id: 'start', payload: { items: ['ACME', 'Globex'] } },
    });
    expect(res.statusCode, res.body).toBeLessThan(300);
    const id = res.json().execution_id as string;
    await waitForStatus(db(), id, ['interrupted'], 20_000);
    await page.goto(`/executions/${id}`);
    const waiting = page.getByRole('region', { name: 'Waiting for confirmation' });
    await waiting.getByText('item 1 of loop each').waitFor();
    await waiting.getByText('Send the invoice to ACME?').waitFor();
    await screenshot(page, '26-loop-confirmation');
    await waiting.getByRole('button', { name: 'Approve' }).click();
    // The page follows the run to the next item's question.
    await waiting.getByText('Send the invoice to Globex?').waitFor();
    await waiting.getByText('item 2 of loop each').waitFor();
    await waiting.getByRole('button', { name: 'Deny' }).click();
    const row = await waitForStatus(db(), id, ['completed', 'failed'], 20_000);
    expect(row.status, row.error_message ?? '').toBe('completed');
    await eventually(async () =>
      expect(await page.getByTestId('execution-status').textContent()).toBe('completed'),
    );
    expect(watch.errors).toEqual([]);
  }, 60_000);

  it("edits a workflow's own settings in the editor: policy, time limit, error handler, budget, active", async () => {
    const slug = `settings-${Date.now().toString(36)}`;
    const handler = `on-error-${Date.now().toString(36)}`;
    await seedWorkflow(db(), adminId, {
      slug: handler,
      nodes: [{ id: 'oops', type: 'trigger_error' }],
      edges: [],
    });
    await seedWorkflow(db(), adminId, { slug, nodes: [{ id: 'start', type: 'trigger_manual' }], edges: [] });
    await page.goto(`/workflows/${slug}`);
    await page.locator('[data-component-type="trigger_manual"]').waitFor();
    await page.getByRole('button', { name: 'Settings' }).click();
    const dialog = page.getByRole('dialog', { name: 'Workflow settings' });
    await dialog.getByLabel('Time limit (seconds)').fill('120');
    await dialog.getByLabel('Finished runs keep').selectOption('all');
    await dialog.getByLabel('When a run fails, start').selectOption({ label: handler });
    await dialog.getByLabel('Token budget per run').fill('5000');
    await dialog.getByLabel(/^Active/).uncheck();
    await screenshot(page, '27-workflow-settings');
    await dialog.getByRole('button', { name: 'Save settings' }).click();
    await dialog.waitFor({ state: 'hidden' });

    const key = await apiKeyOf(server, ADMIN.username);
    const saved = await server.app.inject({
      method: 'GET',
      url: `/api/v1/workflows/${slug}/`,
      headers: { authorization: `Bearer ${key}` },
    });
    const handlerRow = await db()
      .selectFrom('workflows')
      .select('id')
      .where('slug', '=', handler)
      .executeTakeFirst();
    expect(saved.json()).toMatchObject({
      max_execution_seconds: 120,
      save_policy: 'all',
      error_handler_workflow_id: Number(handlerRow?.id),
      budget_tokens: 5000,
      budget_usd: null,
      is_active: false,
    });
    // Opened again, the dialog shows what was saved.
    await page.getByRole('button', { name: 'Settings' }).click();
    expect(await dialog.getByLabel('Finished runs keep').inputValue()).toBe('all');
    expect(await dialog.getByLabel('Time limit (seconds)').inputValue()).toBe('120');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(watch.errors).toEqual([]);
  }, 60_000);

  it('two browsers on one workflow: a node added in one appears in the other without reload', async () => {
    const slug = `shared-${Date.now().toString(36)}`;
    await seedWorkflow(db(), adminId, { slug, nodes: [{ id: 'start', type: 'trigger_manual' }], edges: [] });
    // The web app's key is in an httpOnly cookie: page scripts see neither it nor a stored copy.
    const key = String((await context.cookies()).find((c) => c.name === 'pipelit_session')?.value);
    expect(key.length).toBeGreaterThan(40);
    expect(await page.evaluate('document.cookie')).not.toContain(key);
    expect(await page.evaluate('JSON.stringify(localStorage)')).not.toContain(key);
    const second = await browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL: server.url });
    // The second browser shares the first one's session: its cookie (the key, httpOnly) and username.
    await second.addCookies(await context.cookies());
    await second.addInitScript(`localStorage.setItem('auth_username', ${JSON.stringify(ADMIN.username)});`);
    const other = await second.newPage();
    other.setDefaultTimeout(10_000);
    // The key travels as a subprotocol, never in the socket's URL (proxies and access logs keep URLs).
    const socketUrls: string[] = [];
    other.on('websocket', (ws) => socketUrls.push(ws.url()));
    watch.attach(other, 'second');
    try {
      await Promise.all([page.goto(`/workflows/${slug}`), other.goto(`/workflows/${slug}`)]);
      for (const p of [page, other]) {
        await p.locator('[data-component-type="trigger_manual"]').waitFor();
        await p.getByText('Live: connected').waitFor();
      }
      await page
        .getByTestId('palette-code')
        .dragTo(page.locator('.react-flow__pane'), { targetPosition: { x: 300, y: 300 } });
      await other.locator('[data-component-type="code"]').waitFor();
      await screenshot(other, '25-editor-live-second-browser');
      expect(socketUrls.length).toBeGreaterThan(0);
      for (const url of socketUrls) {
        expect(new URL(url).pathname).toBe('/ws/');
        expect(url).not.toContain(key);
      }
      // And back: deleting it in the second browser removes it in the first.
      await other.locator('[data-component-type="code"]').click();
      await other.getByRole('button', { name: 'Delete node' }).click();
      await eventually(async () =>
        expect(await page.locator('[data-component-type="code"]').count()).toBe(0),
      );
    } finally {
      await second.close();
    }
    expect(watch.errors).toEqual([]);
  }, 60_000);
});
