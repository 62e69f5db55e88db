import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { type Browser, type Page, chromium } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, startTestServer } from '../support/server.ts';

const CHROMIUM = '/usr/bin/chromium';
const RESULTS_DIR = fileURLToPath(new URL('../../test-results/', import.meta.url));
const HOUR = 3_600_000;
const INSULT = 'you are such a loser';

/** Harassment from an account escalates: the rule raises the threat score, which flags universal.2 (decided by the rule). */
const RULE = {
  version: 'escalate-1',
  summary: 'treat harassment as threatening',
  rules: [{ id: 'harassment-escalates', when: { category: 'harassment' }, then: [{ raise_score: { category: 'harassment/threatening', by: 1 } }, { label: 'escalated' }] }],
};

if (!existsSync(CHROMIUM) && process.env.CI === 'true') {
  throw new Error(`CI=true but ${CHROMIUM} is missing: .ci/run installs Debian's chromium.`);
}

/**
 * The "done when", end to end in Chromium: a tenant writes a rule on the Rules page,
 * backtests it against its history, runs it in shadow (counted, verdicts unchanged), publishes it
 * (verdicts change) and watches its effect on the Trends page, with a seeded spike marked.
 */
describe.skipIf(!existsSync(CHROMIUM))('rules and trends in the console, in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let client: OpenAI;
  const moderate = async (account: string) => (await client.moderations.create({ model: 'omni-moderation-latest', input: INSULT, ...({ user: account } as object) })).results[0] as unknown as { warden: { rules?: { matched: string[] }; violations: { clause_id: string; decided_by?: string }[] } };

  beforeAll(async () => {
    await build({ configFile: fileURLToPath(new URL('../../web/vite.config.ts', import.meta.url)), logLevel: 'warn' });
    server = await startTestServer('sqlite');
    client = new OpenAI({ apiKey: await server.createKey('client'), baseURL: `${server.baseUrl}/v1`, maxRetries: 0 });
    const now = Date.now();
    // History: three harassing moderations two days ago, each naming an account (stored as enforcement events).
    server.clock.set(new Date(now - 2 * 24 * HOUR));
    for (const account of ['acct-1', 'acct-2', 'acct-3']) await moderate(account);
    // Eight days of hourly self-harm counts with a daily rhythm, and a spike three hours ago that the monitor announces.
    const tenantId = (await server.services.tenancy.listTenants())[0]!.id;
    const spikeHour = Math.floor(now / HOUR) * HOUR - 3 * HOUR;
    for (let hour = spikeHour - 8 * 24 * HOUR; hour <= spikeHour + 2 * HOUR; hour += HOUR) {
      const usual = 3 + Math.round(2 * Math.sin((2 * Math.PI * ((hour / HOUR) % 24)) / 24));
      const count = hour === spikeHour ? 40 : usual;
      for (let i = 0; i < count; i++) server.services.trends.record({ tenantId, at: new Date(hour + i * 1000), category: 'self-harm', clause: 'universal.2', surface: 'api', source: 'moderation' });
    }
    await server.services.trends.flush();
    expect(await server.services.spikes.checkHour(new Date(spikeHour))).toBeGreaterThanOrEqual(1);
    server.clock.set(new Date(now));

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
    page.on('dialog', (dialog) => {
      throw new Error(`a dialog opened: ${dialog.message()}`);
    });
    mkdirSync(RESULTS_DIR, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('writes a rule, backtests it, shadows it, publishes it and shows its effect on trends', async () => {
    await page.goto(`${server.baseUrl}/console/`);
    await page.getByLabel('Reviewer API key').fill(server.adminKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Review queue' }).isVisible()).toBe(true);
    await page.getByRole('link', { name: 'Rules' }).click();
    await expect.poll(() => page.getByText('No rule versions yet.').isVisible()).toBe(true);

    // Write.
    await page.getByLabel('Rule document (JSON)').fill(JSON.stringify(RULE, null, 2));
    await page.getByRole('button', { name: 'Store version' }).click();
    await expect.poll(() => page.getByRole('status').innerText()).toContain('Stored escalate-1');
    const versions = page.getByRole('table', { name: 'Rule versions' });
    await expect.poll(() => versions.innerText()).toContain('stored');

    // Backtest: the three stored harassment events, and the three automatic review reports they opened, would have their threat score raised.
    await page.getByRole('button', { name: 'Backtest escalate-1' }).click();
    const diff = page.getByRole('table', { name: 'Backtest diff' });
    await expect.poll(() => diff.isVisible()).toBe(true);
    expect(await diff.getByRole('row', { name: /raise_score/ }).innerText()).toMatch(/raise_score\s+0\s+6\s+\+6\s+0/);
    expect(await page.getByText('Publishing would change').innerText()).toContain('6 items for 3 accounts');
    await page.screenshot({ path: `${RESULTS_DIR}console-rules-backtest.png`, fullPage: true });

    // Shadow: counted, verdicts unchanged.
    await page.getByRole('button', { name: 'Shadow escalate-1' }).click();
    await expect.poll(() => versions.innerText()).toContain('shadow');
    const shadowed = await moderate('acct-4');
    expect(shadowed.warden.rules).toBeUndefined();
    expect(shadowed.warden.violations.some((v) => v.decided_by === 'rule')).toBe(false);

    // Publish: the verdict changes, cited by the rule.
    await page.getByRole('button', { name: 'Publish escalate-1' }).click();
    await expect.poll(() => versions.innerText()).toContain('live');
    const live = await moderate('acct-5');
    expect(live.warden.rules?.matched).toEqual(['harassment-escalates']);
    expect(live.warden.violations).toEqual(expect.arrayContaining([expect.objectContaining({ clause_id: 'universal.2', decided_by: 'rule' })]));

    // The Rules page counts the shadow match and the live one.
    await page.getByRole('link', { name: 'Trends' }).click();
    await page.getByRole('link', { name: 'Rules' }).click();
    const hits = page.getByRole('table', { name: 'Rule matches' });
    await expect.poll(() => hits.innerText()).toMatch(/harassment-escalates\s+shadow\s+1/);
    expect(await hits.innerText()).toMatch(/harassment-escalates\s+live\s+1/);
    await page.screenshot({ path: `${RESULTS_DIR}console-rules.png`, fullPage: true });

    // Trends: the rule's decisions are their own series; the drill-down lists the live match.
    await page.getByRole('link', { name: 'Trends' }).click();
    await page.getByLabel('Range').selectOption('hour');
    await page.getByLabel('Group by').selectOption('source');
    const totals = page.getByRole('table', { name: 'Series totals' });
    await expect.poll(() => totals.innerText()).toMatch(/rule\s+1/);
    expect(await totals.innerText()).toMatch(/moderation\s+\d+/);
    await expect.poll(() => page.locator('[data-testid=trend-chart] canvas').count()).toBe(1);
    const over = page.locator('[data-testid=trend-chart] .u-over');
    const box = (await over.boundingBox())!;
    const matches = page.getByRole('table', { name: 'Rule matches' });
    // The live match is in the last minute's bucket, or in the one before it when the minute turned since.
    const bucket = box.width / 60;
    for (const back of [0, 1]) {
      await over.click({ position: { x: box.width - 8 - back * bucket, y: box.height / 2 } });
      const shown = await matches.waitFor({ state: 'visible', timeout: 5_000 }).then(
        () => true,
        () => false,
      );
      if (shown) break;
    }
    await expect.poll(() => matches.isVisible()).toBe(true);
    expect(await matches.innerText()).toMatch(/harassment-escalates[\s\S]*live/);
    await page.screenshot({ path: `${RESULTS_DIR}console-trends-rule.png`, fullPage: true });

    // A week per hour by category: the seeded self-harm spike is marked and listed.
    await page.getByLabel('Range').selectOption('week');
    await page.getByLabel('Group by').selectOption('category');
    const spikes = page.getByRole('table', { name: 'Spikes' });
    await expect.poll(() => spikes.innerText()).toContain('category:self-harm');
    await expect.poll(() => totals.innerText()).toMatch(/self-harm/);
    await page.screenshot({ path: `${RESULTS_DIR}console-trends-spike.png`, fullPage: true });
  });
});
