import { existsSync } from 'node:fs';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../../src/judge/index.ts';
import { type TestServer, startTestServer } from '../support/server.ts';

const CHROMIUM = '/usr/bin/chromium';
const XSS = '<img src=x onerror="window.__xss=1">';
const RATIONALE = `Could be a quote of an insult rather than one. ${XSS}`;

// The judge's rationale reaches the reviewer: a moderation the judge is unsure about opens a case whose page shows it.
describe.skipIf(!existsSync(CHROMIUM))('the judge in the reviewer console', () => {
  let server: TestServer;
  let browser: Browser;
  let fake: ReturnType<typeof createServer>;

  beforeAll(async () => {
    await build({ configFile: fileURLToPath(new URL('../../web/vite.config.ts', import.meta.url)), logLevel: 'warn' });
    // A fake OpenAI-compatible judge on loopback, unsure of its verdict.
    fake = createServer((req: IncomingMessage, res: ServerResponse) => {
      req.resume().on('end', () => {
        const content = JSON.stringify({ verdicts: [{ clause_id: 'universal.3', violated: true, confidence: 0.5 }], rationale: RATIONALE });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ choices: [{ finish_reason: 'stop', message: { role: 'assistant', content } }] }));
      });
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    server = await startTestServer('sqlite', {}, { judge: { secrets: new SecretBox(null), allowPrivateNetworks: true, log: { warn: () => undefined, info: () => undefined } } });
    const created = await server.request('/v1/judges', {
      method: 'POST',
      json: { name: 'local', base_url: `http://127.0.0.1:${(fake.address() as AddressInfo).port}/v1`, model: 'm', allow_private_network: true, categories: ['harassment'], cascade: { mode: 'always' } },
    });
    expect(created.status).toBe(201);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'] });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    fake?.close();
  });

  it("shows the judge's rationale, as text, on the case it opened", async () => {
    const moderated = await server.request('/v1/moderations', { method: 'POST', key: await server.createKey('client'), json: { input: 'You are a pathetic worthless idiot.' } });
    expect(moderated.status).toBe(200);
    const reviewer = await server.createKey('reviewer');
    const queue = (await (await server.request('/v1/review/queue?status=open', { key: reviewer })).json()) as { data: { id: string }[] };
    expect(queue.data).toHaveLength(1);
    const page = await browser.newPage();
    await page.goto(`${server.baseUrl}/console/`);
    await page.getByLabel('Reviewer API key').fill(reviewer);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Review queue' }).isVisible()).toBe(true);
    await page.goto(`${server.baseUrl}/console/#/case/${queue.data[0]!.id}`);
    await expect.poll(() => page.getByRole('heading', { name: 'LLM judge (local): unsure' }).isVisible()).toBe(true);
    const section = await page.getByTestId('judge-rationale').innerText();
    expect(section).toContain(RATIONALE);
    expect(section).toContain('universal.3');
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  }, 60_000);
});
