import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, type Page, chromium } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, startTestServer } from '../support/server.ts';

const CHROMIUM = '/usr/bin/chromium';
const RESULTS_DIR = fileURLToPath(new URL('../../test-results/', import.meta.url));
const XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>';

if (!existsSync(CHROMIUM) && process.env.CI === 'true') {
  throw new Error(`CI=true but ${CHROMIUM} is missing: .ci/run installs Debian's chromium.`);
}

// Debian's Chromium drives the real console; no browser is ever downloaded.
describe.skipIf(!existsSync(CHROMIUM))('reviewer console in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let reviewerKey: string;
  let caseId: string;

  beforeAll(async () => {
    await build({ configFile: fileURLToPath(new URL('../../web/vite.config.ts', import.meta.url)), logLevel: 'warn' });
    server = await startTestServer('sqlite');
    reviewerKey = await server.createKey('reviewer');
    const client = await server.createKey('client');
    const res = await server.request('/v1/reports', {
      method: 'POST',
      key: client,
      json: {
        idempotency_key: 'e2e-1',
        reporter: 'user-7',
        target: { account: 'e2e-account', content: { text: `I will hurt you badly. ${XSS}` } },
        clause_id: 'universal.3',
        category: 'violence',
        text: `Threatening message ${XSS}`,
        evidence: [{ type: 'text', value: XSS, note: 'screenshot transcript' }],
      },
    });
    caseId = ((await res.json()) as { case_id: string }).case_id;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
    page.on('dialog', (dialog) => {
      throw new Error(`a dialog opened: ${dialog.message()}`);
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('signs in, claims the top case, reveals it, decides violation and shows the new action', async () => {
    await page.goto(`${server.baseUrl}/console/`);
    await page.getByLabel('Reviewer API key').fill(reviewerKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Review queue' }).isVisible()).toBe(true);
    await expect.poll(() => page.getByText('Open: 1').isVisible()).toBe(true);

    await page.keyboard.press('n');
    await expect.poll(() => page.getByRole('heading', { name: `Case ${caseId}` }).isVisible()).toBe(true);
    expect(await page.getByTestId('case-content').getAttribute('class')).toBe('blurred');

    await page.keyboard.press('c');
    await expect.poll(() => page.getByText('You hold this case.').isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Reveal content' }).click();
    expect(await page.getByTestId('case-content').getAttribute('class')).toBe('revealed');
    // The payload is shown as text, and nothing of it ran.
    expect(await page.getByTestId('case-content').innerText()).toContain(XSS);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();

    await page.getByRole('radio', { name: 'violation', exact: true }).check();
    await page.getByLabel('Clause IDs (comma-separated)').fill('universal.3');
    await page.getByLabel('Notes').fill('A direct threat of violence.');
    await page.getByRole('button', { name: 'Record decision' }).click();
    await expect.poll(() => page.getByText('Decision recorded; the case is closed. Action taken: warning.').isVisible()).toBe(true);
    await expect.poll(async () => (await page.getByTestId('standing-actions').innerText()).includes('warning')).toBe(true);
    expect(await page.getByTestId('standing-summary').innerText()).toContain('rung warning');

    mkdirSync(RESULTS_DIR, { recursive: true });
    await page.screenshot({ path: `${RESULTS_DIR}console-case.png`, fullPage: true });
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  });

  it('shows the policy browser side by side', async () => {
    await page.goto(`${server.baseUrl}/console/#/policies`);
    await expect.poll(() => page.getByRole('heading', { name: 'Policy browser' }).isVisible()).toBe(true);
    await expect.poll(() => page.getByText('0 added, 0 removed, 0 changed, 38 unchanged.').isVisible()).toBe(true);
  });
  it('Models page: compares a trained candidate with the served model, promotes it and rolls back', async () => {
    const targets = ['the boss', 'their tank', 'the sniper', 'red team', 'the medic', 'the camper'];
    const chatter = targets.flatMap((t, i) => [`kill ${t} next round`, `headshot ${t} lol`, `I'm going to murder ${t} with the shotgun ${i}`, `camp the bridge and destroy ${t}`]);
    const threats = targets.map((_, i) => `I know where you live and I will kill you tonight, number ${i}`);
    const examples = [...chatter.map((text) => ({ text, labels: { violence: false } })), ...threats.map((text) => ({ text, labels: { violence: true } }))];
    expect((await server.request('/v1/training/examples', { method: 'POST', json: { examples } })).status).toBe(201);
    const trained = (await (await server.request('/v1/models/train', { method: 'POST' })).json()) as { id: string };
    await server.services.tenantModels.drain();

    // Promotion is an admin's: the console signs in with an admin key here.
    await page.evaluate((key) => sessionStorage.setItem('warden.reviewerKey', key), server.adminKey);
    await page.goto(`${server.baseUrl}/console/#/models`);
    await page.reload();
    await expect.poll(() => page.getByRole('heading', { name: 'Models' }).isVisible()).toBe(true);
    await expect.poll(() => page.getByText(`in shadow: ${trained.id}`).isVisible()).toBe(true);
    await expect.poll(() => page.getByRole('heading', { name: new RegExp(`${trained.id} against the base model`) }).isVisible()).toBe(true);
    await expect.poll(() => page.getByRole('img', { name: 'precision-recall curve' }).first().isVisible()).toBe(true);
    mkdirSync(RESULTS_DIR, { recursive: true });
    await page.screenshot({ path: `${RESULTS_DIR}console-models.png`, fullPage: true });

    await page.getByRole('button', { name: /^Promote/ }).first().click();
    await expect.poll(() => page.getByText(`Served: ${trained.id}`).isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Roll back' }).click();
    await expect.poll(() => page.getByText('Served: base model').isVisible()).toBe(true);
  });
});
