import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, type Page, chromium } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { hashImage } from '../../src/images/index.ts';
import { dataUrl, syntheticImage } from '../support/images.ts';
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

  it("shows a case's images as evidence: blurred until revealed, with the bank match and the image model's scores, never the image", async () => {
    // A moderation whose image matches a bank tied to api.4.1 (medium) opens an automatic case.
    const { object: _object, ...settings } = (await (await server.request('/v1/review/settings')).json()) as Record<string, unknown>;
    const enabled = await server.request('/v1/review/settings', { method: 'PUT', json: { ...settings, automatic_cases: { enabled: true, uncertainty_band: { low: 0.45, high: 0.5 }, severities: ['medium', 'high', 'critical'] } } });
    expect(enabled.status, await enabled.clone().text()).toBe(200);
    const photo = await syntheticImage({ width: 640, height: 480, seed: 77 });
    const { hashes } = await hashImage(photo);
    const bank = (await (await server.request('/v1/hash-banks', { method: 'POST', json: { name: 'Known adult images', clause_id: 'api.4.1' } })).json()) as { id: string };
    await server.request(`/v1/hash-banks/${bank.id}/import`, { method: 'POST', body: `${hashes.pdq},${hashes.quality}\n`, headers: { 'content-type': 'text/plain' } });
    const copy = await sharp(photo).resize(480).jpeg({ quality: 70 }).toBuffer();
    const moderated = await server.request('/v1/moderations', { method: 'POST', json: { input: [{ type: 'text', text: 'see attached' }, { type: 'image_url', image_url: { url: dataUrl(copy) } }], user: 'e2e-image-account' } });
    expect(moderated.status).toBe(200);
    const queue = (await (await server.request('/v1/review/queue', { key: reviewerKey })).json()) as { data: { id: string; status: string }[] };
    const imageCase = queue.data.find((c) => c.id !== caseId && c.status === 'open')!;
    expect(imageCase).toBeDefined();

    await page.goto(`${server.baseUrl}/console/#/case/${imageCase.id}`);
    await expect.poll(() => page.getByRole('heading', { name: 'Images' }).isVisible()).toBe(true);
    const figure = page.getByTestId('case-image');
    expect(await page.getByTestId('case-image-placeholder').getAttribute('class')).toContain('blurred');
    expect(await figure.innerText()).toContain((await hashImage(copy)).hashes.pdq);
    expect(await page.getByRole('list', { name: 'Hash-bank matches of input[1]' }).innerText()).toMatch(/Matches bank “Known adult images” at distance \d+ \(threshold 31\)/);
    const scores = await page.getByRole('table', { name: 'Image model scores of input[1]' }).innerText();
    expect(scores).toContain('nsfwjs-4.4.0/mobilenet_v2');
    expect(scores).toContain('neutral');
    expect(await page.getByText('Image bytes are not retained').isVisible()).toBe(true);
    expect(await page.locator('article img').count()).toBe(0);

    await page.getByRole('button', { name: 'Reveal content' }).click();
    expect(await page.getByTestId('case-image-placeholder').getAttribute('class')).toContain('revealed');
    mkdirSync(RESULTS_DIR, { recursive: true });
    await page.screenshot({ path: `${RESULTS_DIR}console-case-images.png`, fullPage: true });
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
