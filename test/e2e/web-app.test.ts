/**
 * The web app in a real browser against a real server: first-run setup, dashboard, the workflow
 * editor (palette drag and drop, connecting handles), settings with MFA enrolment, every page
 * screenshotted, and no console error anywhere along the way.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
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

const ADMIN = { username: 'admin', password: 'e2e-admin-password' };

describe.skipIf(Boolean(skipReason))('web app in chromium', () => {
  let server: E2eServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let watch: ConsoleWatch;
  let slug = '';

  beforeAll(async () => {
    assertSpaBuilt();
    server = await startServer();
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL: server.url });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    watch = new ConsoleWatch(server.app);
    watch.attach(page, 'main');
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('first run: setup creates the admin and lands on the dashboard; logout and login work', async () => {
    await page.goto('/');
    // No key → /login → fresh install → /setup.
    await page.waitForURL('**/setup');
    await screenshot(page, '01-setup');
    await page.getByLabel('Username').fill(ADMIN.username);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await page.getByLabel('Confirm password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Create admin' }).click();
    await page.getByRole('heading', { name: 'Workflows' }).waitFor().catch(async (e) => { await screenshot(page, 'debug'); console.log(page.url(), await page.content()); throw e; });
    await page.getByText('No workflows yet').waitFor();

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL('**/login');
    await screenshot(page, '02-login');
    await page.getByLabel('Username').fill(ADMIN.username);
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Invalid username or password' }).waitFor();
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Workflows' }).waitFor();
    await screenshot(page, '03-dashboard-empty');
  }, 60_000);

  it('creates a workflow and builds trigger → code in the editor by drag and drop', async () => {
    await page.getByRole('button', { name: 'Create workflow' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create workflow' });
    await dialog.getByLabel('Name').fill('E2E Flow');
    expect(await dialog.getByLabel('Slug').inputValue()).toBe('e2e-flow');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL('**/workflows/**');
    slug = new URL(page.url()).pathname.split('/').pop() ?? '';
    expect(slug).toMatch(/^e2e-flow/);

    const canvas = page.locator('.react-flow__pane');
    await canvas.waitFor();
    await page.getByRole('complementary', { name: 'Node palette' }).waitFor();
    await screenshot(page, '04-editor-empty');

    await page.getByTestId('palette-trigger_manual').dragTo(canvas, { targetPosition: { x: 200, y: 200 } });
    const trigger = page.locator('[data-component-type="trigger_manual"]');
    await trigger.waitFor();
    await page.getByTestId('palette-code').dragTo(canvas, { targetPosition: { x: 550, y: 220 } });
    const code = page.locator('[data-component-type="code"]');
    await code.waitFor();

    // Connect the trigger's output handle to the code node's input handle with the mouse.
    const from = await trigger.locator('.react-flow__handle.source').first().boundingBox();
    const to = await code.locator('.react-flow__handle.target').first().boundingBox();
    if (!from || !to) throw new Error('handles not found');
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 15 });
    await page.mouse.up();
    await eventually(async () => expect(await page.locator('.react-flow__edge').count()).toBe(1));
    await screenshot(page, '05-editor-connected');

    // The server holds what the canvas shows.
    const key = await page.evaluate('localStorage.getItem("auth_token")');
    const res = await server.app.inject({
      method: 'GET',
      url: `/api/v1/workflows/${slug}/`,
      headers: { authorization: `Bearer ${key}` },
    });
    const detail = res.json() as { nodes: Array<{ component_type: string }>; edges: unknown[] };
    expect(detail.nodes.map((n) => n.component_type).sort()).toEqual(['code', 'trigger_manual']);
    expect(detail.edges).toHaveLength(1);
  }, 90_000);

  it('settings: MFA enrolment shows a QR code and the secret', async (ctx) => {
    if (!server.app.hasRoute({ method: 'POST', url: '/api/v1/auth/mfa/setup/' })) {
      console.log('[e2e] skipping MFA enrolment: POST /api/v1/auth/mfa/setup/ does not exist yet');
      ctx.skip();
    }
    await page.goto('/settings');
    await page.getByRole('heading', { name: 'Settings' }).waitFor();
    await page.getByRole('button', { name: 'Enable MFA' }).click();
    await page.getByTestId('mfa-secret').waitFor();
    expect(await page.getByTestId('mfa-secret').textContent()).toMatch(/^[A-Z2-7]{16,}$/);
    await page.getByRole('img', { name: 'MFA QR code' }).waitFor();
    expect(
      await page
        .getByRole('img', { name: 'MFA QR code' })
        .evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth),
    ).toBeGreaterThan(0);
    await screenshot(page, '06-settings-mfa');
  }, 60_000);

  it('every page renders, with screenshots, and no console errors anywhere', async () => {
    const pages: Array<[string, string, string]> = [
      ['/', 'Workflows', '07-dashboard'],
      ['/executions', 'Executions', '08-executions'],
      ['/executions/00000000-0000-0000-0000-000000000000', 'Execution', '09-execution-detail'],
      ['/users', 'Users', '10-users'],
      ['/settings', 'Settings', '11-settings'],
      ['/no-such-page', 'Page not found', '12-not-found'],
    ];
    for (const [path, heading, shot] of pages) {
      await page.goto(path);
      await page.getByRole('heading', { name: heading }).first().waitFor();
      await page.waitForLoadState('networkidle');
      await screenshot(page, shot);
    }
    if (slug) {
      await page.goto(`/workflows/${slug}`);
      await page.locator('.react-flow__node').first().waitFor();
      await screenshot(page, '13-editor-reloaded');
      await eventually(async () => expect(await page.locator('.react-flow__node').count()).toBe(2));
      await eventually(async () => expect(await page.locator('.react-flow__edge').count()).toBe(1));
    }
    expect(watch.errors).toEqual([]);
  }, 90_000);
});
