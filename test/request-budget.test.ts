/**
 * The per-request CPU budget: while one ~1 MB moderation request is processed, /healthz keeps answering within
 * 100 ms (the bound). On a loaded machine /healthz is slow even with nothing else to do, so the bound is
 * the largest of 100 ms, twice the slowest of 20 /healthz calls made just before on an idle server, and half the
 * time one of the inputs takes to moderate on the event loop's thread, measured just before (what one input held
 * the loop for before). Client and server share this process, so the client's work counts against it too. Before
 * long inputs went to the detection thread, each 100,000-character input held the event loop for its whole
 * detection (40 ms on an idle core, a few hundred on a loaded one), twice that where a yield did not reach the
 * poll phase.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledPolicies } from '../src/policy/index.ts';
import { startTestServer, type TestServer } from './support/server.ts';

const POLICY = readFileSync(new URL('../policies/usage-policies/2024-01-10.md', import.meta.url), 'utf8');
const HEALTH_BOUND_MS = 100;
const INPUT_CHARS = 99_000;
const CARD = 'My card is 4111 1111 1111 1111, charge it.';

/** Ten inputs of 99,000 characters of the usage policy's prose; the sixth carries a payment card number. */
function largeInput(): string[] {
  let prose = '';
  while (prose.length < INPUT_CHARS) prose += POLICY;
  return Array.from({ length: 10 }, (_, i) => {
    const text = prose.slice(i * 97, i * 97 + INPUT_CHARS - CARD.length - 1);
    return i === 5 ? `${text.slice(0, 50_000)} ${CARD}${text.slice(50_000)}` : `${text} `;
  });
}

interface Flagged {
  flagged: boolean;
  warden: { violations: { clause: string }[]; evidence: { kind: string }[] };
}

describe('/healthz during a 1 MB moderation request', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('sqlite');
  });
  afterAll(() => server?.close());

  async function timeHealth(): Promise<number> {
    const started = performance.now();
    const response = await fetch(`${server.baseUrl}/healthz`);
    await response.text();
    expect(response.status).toBe(200);
    return performance.now() - started;
  }

  /** The body is encoded once: client and server share this process, and encoding 1 MB per call would hold its event loop too. */
  const moderate = (body: Blob) => server.request('/v1/moderations', { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  it(`answers within ${HEALTH_BOUND_MS} ms (on a loaded machine: within its idle maximum or one input's detection time), with the same verdicts`, async () => {
    const input = largeInput();
    const json = JSON.stringify({ input });
    expect(Buffer.byteLength(json)).toBeGreaterThan(980_000);
    const body = new Blob([json]);
    // Once first, so that the detection thread has started and both threads have compiled the hot code.
    expect((await moderate(body)).status).toBe(200);
    // The reference, under this machine's load right now: the same inputs moderated on this thread.
    const document = bundledPolicies().at(-1)!;
    const started = performance.now();
    const here = server.services.moderation.moderate(
      input.map((text) => [text]),
      { document, thresholds: server.services.moderation.defaultThresholds, surface: 'api' },
    );
    const perInputHere = (performance.now() - started) / input.length;
    const idle: number[] = [];
    for (let i = 0; i < 20; i += 1) idle.push(await timeHealth());
    const during: number[] = [];
    let done = false;
    const request = moderate(body).finally(() => (done = true));
    while (!done) during.push(await timeHealth());
    const response = await request;
    const slowest = Math.max(...during);
    const bound = Math.max(HEALTH_BOUND_MS, 2 * Math.max(...idle), perInputHere / 2);
    console.log(`/healthz during a ${input.length}-input request: ${during.length} answers, slowest ${slowest.toFixed(1)} ms (idle slowest ${Math.max(...idle).toFixed(1)} ms, one input on this thread ${perInputHere.toFixed(1)} ms, bound ${bound.toFixed(1)} ms)`);
    expect(during.length).toBeGreaterThanOrEqual(3);
    expect(slowest).toBeLessThan(bound);

    expect(response.status).toBe(200);
    const { results } = (await response.json()) as { results: Flagged[] };
    expect(results).toHaveLength(10);
    // The same verdicts as moderating each input on this thread.
    expect(results).toEqual(JSON.parse(JSON.stringify(here)));
    expect(results[5]!.warden.evidence.map((e) => e.kind)).toContain('payment_card:visa');
    expect(results[5]!.warden.violations.length).toBeGreaterThan(0);
  }, 180_000);
});
