import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RETRY_WINDOW_MS } from '../src/moderation/index.ts';
import { describeEachBackend } from './support/backends.ts';
import { expectApiError, startTestServer, type TestServer } from './support/server.ts';

const CARD_TEXT = 'my card is 4111 1111 1111 1111, charge it';

interface Standing {
  rung: string;
  score: number;
  events: { id: string }[];
}

describeEachBackend('moderation side effects, exactly once', (backend) => {
  let server: TestServer;
  let clientKey: string;

  beforeEach(async () => {
    server = await startTestServer(backend);
    clientKey = await server.createKey('client');
  });
  afterEach(async () => server?.close());

  async function standing(account: string): Promise<Standing> {
    const response = await server.request(`/v1/accounts/${encodeURIComponent(account)}/standing`);
    expect(response.status).toBe(200);
    return (await response.json()) as Standing;
  }

  async function count(table: 'enforcement_events' | 'review_reports' | 'audit_log' | 'accounts'): Promise<number> {
    const row = await server.store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Makes the write that runs after enforcement's and review's fail once, as a failing review step would. */
  function failOnceAfterEnforcement(): () => void {
    let failures = 1;
    return server.services.moderations.followUps.subscribe((_followUp, plan) => {
      plan.add(async () => {
        if (failures-- > 0) throw new Error('injected: the step after enforcement failed');
      });
    });
  }

  it('a failure after enforcement, retried by the openai SDK, leaves one event and one strike', async () => {
    const unsubscribe = failOnceAfterEnforcement();
    try {
      const client = new OpenAI({ apiKey: clientKey, baseURL: `${server.baseUrl}/v1`, maxRetries: 2 });
      const moderation = await client.moderations.create({ input: CARD_TEXT, user: 'retried' } as OpenAI.ModerationCreateParams);
      expect((moderation.results[0] as unknown as { warden: { flagged: boolean } }).warden.flagged).toBe(true);
    } finally {
      unsubscribe();
    }
    const after = await standing('retried');
    expect(after.events).toHaveLength(1);
    expect(after).toMatchObject({ rung: 'warning', score: 4 });
    expect(await count('review_reports')).toBe(1);
  });

  it('the same with an Idempotency-Key: one event, and the retry answers with the key\'s id', async () => {
    const unsubscribe = failOnceAfterEnforcement();
    let id: string;
    try {
      const client = new OpenAI({ apiKey: clientKey, baseURL: `${server.baseUrl}/v1`, maxRetries: 2 });
      const params = { input: CARD_TEXT, user: 'retried-keyed' } as OpenAI.ModerationCreateParams;
      id = (await client.moderations.create(params, { headers: { 'Idempotency-Key': 'mod-1' } })).id;
      const again = await client.moderations.create(params, { headers: { 'Idempotency-Key': 'mod-1' } });
      expect(again.id).toBe(id);
    } finally {
      unsubscribe();
    }
    const after = await standing('retried-keyed');
    expect(after.events.map((e) => e.id)).toEqual([`moderation:${id}:0`]);
    expect(after.score).toBe(4);
  });

  it('an identical request without a key is a retry within the window, and a new occurrence after it', async () => {
    const post = async () => {
      const response = await server.request('/v1/moderations', { method: 'POST', key: clientKey, json: { input: CARD_TEXT, user: 'twice' } });
      expect(response.status).toBe(200);
      return ((await response.json()) as { id: string }).id;
    };
    const first = await post();
    expect(await post()).toBe(first);
    expect((await standing('twice')).events).toHaveLength(1);
    server.clock.advance(RETRY_WINDOW_MS + 1000);
    expect(await post()).not.toBe(first);
    expect((await standing('twice')).events).toHaveLength(2);
  });

  it('a batch commits its side effects together, each input once', async () => {
    const response = await server.request('/v1/moderations', {
      method: 'POST',
      key: clientKey,
      json: { input: [CARD_TEXT, 'What a lovely afternoon for a walk in the park.', `${CARD_TEXT}, and again`], user: 'batch' },
    });
    expect(response.status).toBe(200);
    const { id } = (await response.json()) as { id: string };
    expect((await standing('batch')).events.map((e) => e.id).sort()).toEqual([`moderation:${id}:0`, `moderation:${id}:2`]);
  });

  it('concurrent batches over the same accounts and contents, in different orders, each commit once', async () => {
    // On PostgreSQL these commit in concurrent groups: each takes its accounts' and contents' locks up front, in one order.
    const contents = Array.from({ length: 5 }, (_, i) => `${CARD_TEXT} (order ${i})`);
    const requests = Array.from({ length: 24 }, (_, r) => {
      const flagged = [...new Set(contents.map((_, i) => contents[(i * (r + 1) + r) % contents.length]!))];
      // A benign input of its own: no two requests are identical (an identical one would be taken for a retry).
      const input = [...flagged, `Request ${r}: what a lovely afternoon for a walk in the park.`];
      return server.request('/v1/moderations', { method: 'POST', key: clientKey, json: { input, user: `shared-${r % 6}` } });
    });
    const started = performance.now();
    const responses = await Promise.all(requests);
    // Groups that locked rows as they went deadlocked here on PostgreSQL (each found after its 1 s deadlock_timeout, then retried): 7–10 s in all.
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(responses.map((response) => response.status)).toEqual(responses.map(() => 200));
    const bodies = await Promise.all(responses.map(async (response) => (await response.json()) as { results: { warden: { flagged: boolean } }[] }));
    const flagged = bodies.flatMap((body) => body.results).filter((result) => result.warden.flagged).length;
    expect(flagged).toBe(bodies.reduce((sum, body) => sum + body.results.length - 1, 0));
    expect(await count('enforcement_events')).toBe(flagged);
    expect(await count('review_reports')).toBe(flagged);
    const open = await server.store.db.selectFrom('review_cases').select('open_target_key').where('open_target_key', 'is not', null).execute();
    expect(open).toHaveLength(contents.length);
  });

  describe('Idempotency-Key on state-changing requests', () => {
    const event = (id: string) => ({ id, account: 'idem-user', violations: [{ clause_id: 'universal.1' }] });
    const post = (json: unknown, key: string, idempotencyKey: string) =>
      server.request('/v1/events', { method: 'POST', key, json, headers: { 'Idempotency-Key': idempotencyKey } });

    it('answers a retry with the first answer and writes nothing; refuses the key for another body', async () => {
      const first = await post(event('e-1'), clientKey, 'k-1');
      expect(first.status).toBe(201);
      const firstBody = await first.text();
      const audit = await count('audit_log');

      const replay = await post(event('e-1'), clientKey, 'k-1');
      expect(replay.status).toBe(201);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(await replay.text()).toBe(firstBody);
      expect(await count('audit_log')).toBe(audit);

      const other = await expectApiError(await post(event('e-2'), clientKey, 'k-1'), 409);
      expect(other.param).toBe('Idempotency-Key');
      expect(await count('enforcement_events')).toBe(1);
    });

    it('keeps keys per tenant', async () => {
      const otherTenant = await server.createKey('admin', 'other-tenant');
      expect((await post(event('e-1'), clientKey, 'shared-key')).status).toBe(201);
      const elsewhere = await post(event('e-1'), otherTenant, 'shared-key');
      expect(elsewhere.status).toBe(201);
      expect(elsewhere.headers.get('idempotent-replayed')).toBeNull();
      expect(await count('enforcement_events')).toBe(2);
    });

    it('replays a moderation answer verbatim, and refuses a bad key', async () => {
      const moderate = () => server.request('/v1/moderations', { method: 'POST', key: clientKey, json: { input: 'hello there' }, headers: { 'Idempotency-Key': 'm-1' } });
      const first = await moderate();
      const second = await moderate();
      expect(await second.text()).toBe(await first.text());
      expect(second.headers.get('idempotent-replayed')).toBe('true');
      const bad = await server.request('/v1/moderations', { method: 'POST', key: clientKey, json: { input: 'x' }, headers: { 'Idempotency-Key': 'k'.repeat(256) } });
      expect((await expectApiError(bad, 400)).code).toBe('invalid_idempotency_key');
    });
  });
});

describe('a large moderation request does not hold the server', () => {
  let server: TestServer;

  beforeEach(async () => {
    server = await startTestServer('sqlite');
  });
  afterEach(async () => server?.close());

  it('answers /healthz while a ~1 MB request is moderated', async () => {
    const sentence = 'The committee reviewed the quarterly figures and agreed to publish the summary next week. ';
    const input = Array.from({ length: 10 }, () => sentence.repeat(Math.floor(99_000 / sentence.length)));
    let done = false;
    const moderation = server.request('/v1/moderations', { method: 'POST', json: { input } }).finally(() => (done = true));
    const latencies: number[] = [];
    while (!done) {
      const t0 = performance.now();
      const health = await fetch(`${server.baseUrl}/healthz`);
      await health.arrayBuffer();
      if (!done) latencies.push(performance.now() - t0);
    }
    expect((await moderation).status).toBe(200);
    // Between slices of the request's detection, other requests get their turn. The bound is generous
    // (the machine may be busy); without slicing, /healthz would wait for the whole request.
    expect(latencies.length).toBeGreaterThan(1);
    expect(Math.max(...latencies)).toBeLessThan(3000);
  });
});

describe('short texts on the detection thread', () => {
  let server: TestServer;

  beforeEach(async () => {
    server = await startTestServer('sqlite');
  });
  afterEach(async () => server?.close());

  it('once the thread is ready, concurrent requests and a batch are detected with it and answer exactly as on the event loop', async () => {
    const texts = [
      'How do I kill a Python process that hangs?',
      'I want to end my life tonight',
      'I am a gay man and proud of it',
      'My card is 4111 1111 1111 1111, charge it.',
      'You are a worthless idiot and everyone hates you',
      'Write a short poem about the sea at dawn.',
    ];
    const answer = async () => {
      // Each text alone, concurrently, and all of them as one batch (shared between the event loop and the thread).
      const bodies = [...texts.map((input) => ({ input })), { input: texts }];
      const responses = await Promise.all(bodies.map((json) => server.request('/v1/moderations', { method: 'POST', json })));
      return Promise.all(responses.map(async (response) => ({ status: response.status, results: ((await response.json()) as { results: unknown[] }).results })));
    };
    const { moderation } = server.services;
    // The thread is the process's: another test may have started it. Stopped, short texts stay on the event loop.
    await moderation.close();
    expect(moderation.threadReady).toBe(false);
    const onLoop = await answer();
    expect(await moderation.warmUp()).toBe(true);
    expect(moderation.threadReady).toBe(true);
    const onThread = await answer();
    expect(onThread.map((r) => r.status)).toEqual([...texts, 'batch'].map(() => 200));
    expect(onThread).toEqual(onLoop);
  });
});
