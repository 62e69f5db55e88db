import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type TestDatabase, createTestDatabase, describeEachBackend } from './support/backends.ts';
import { startWardenServe, stopProcess } from './support/cli.ts';

/** How stale another replica's caches may be (README: cache consistency). */
const STALE_BOUND_MS = 1000;

/**
 * Two `warden serve` processes on one database, as two replicas behind a load balancer: a change
 * made through one reaches the other's verdicts and key checks within STALE_BOUND_MS, and an
 * account's standing read from either reflects a moderation answered by the other.
 */
describeEachBackend('two warden serve processes on one database', (backend) => {
  const adminKey = `wdn_${randomBytes(24).toString('hex')}`;
  let database: TestDatabase;
  const replicas: { child: ChildProcess; url: string }[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(backend);
    // The first bootstraps the database; the second starts on it.
    replicas.push(await startWardenServe(['--db', database.url], { WARDEN_ADMIN_KEY: adminKey, LOG_LEVEL: 'warn' }));
    replicas.push(await startWardenServe(['--db', database.url], { LOG_LEVEL: 'warn' }));
  }, 120_000);
  afterAll(async () => {
    for (const replica of replicas) await stopProcess(replica.child);
    await database?.drop();
  }, 60_000);

  const call = (replica: number, path: string, init: { key?: string; method?: string; json?: unknown } = {}) =>
    fetch(`${replicas[replica]!.url}${path}`, {
      method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
      headers: { authorization: `Bearer ${init.key ?? adminKey}`, ...(init.json === undefined ? {} : { 'content-type': 'application/json' }) },
      body: init.json === undefined ? undefined : JSON.stringify(init.json),
    });

  /** Milliseconds from `since` until a request sent to `replica` first satisfies `holds` (measured at sending). */
  async function untilHolds(since: number, send: () => Promise<Response>, holds: (response: Response) => Promise<boolean>): Promise<number> {
    for (;;) {
      const sentAt = performance.now();
      if (await holds(await send())) return sentAt - since;
      if (sentAt - since > 10_000) throw new Error('the other replica never followed the change');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('follows a threshold changed through the other replica within 1 s', async () => {
    const text = 'You are an idiot and everyone here is sick of your stupid posts.';
    const moderate = () => call(1, '/v1/moderations', { json: { input: text } });
    const before = (await (await moderate()).json()) as { results: { categories: Record<string, boolean>; category_scores: Record<string, number> }[] };
    const [category, score] = Object.entries(before.results[0]!.category_scores).sort((a, b) => b[1] - a[1])[0]!;
    expect(score).toBeGreaterThan(0);
    // Lower that category's threshold below the text's score, through the first replica.
    const changed = await call(0, '/v1/moderation/thresholds', { method: 'PUT', json: { thresholds: { [category]: score / 2 } } });
    expect(changed.status).toBe(200);
    const changedAt = performance.now();
    const lag = await untilHolds(changedAt, moderate, async (response) => {
      const body = (await response.json()) as { results: { categories: Record<string, boolean> }[] };
      return body.results[0]!.categories[category] === true;
    });
    expect(lag).toBeLessThan(STALE_BOUND_MS);
  });

  it('runs a rule version published through the other replica within 1 s', async () => {
    const moderate = () => call(1, '/v1/moderations', { json: { input: 'try the new zorblax drink' } });
    const rules = (body: unknown) => (body as { results: { warden: { rules?: { matched: string[] } } }[] }).results[0]!.warden.rules;
    expect(rules(await (await moderate()).json())).toBeUndefined();
    const doc = { version: 'replica-1', summary: 'label a word', rules: [{ id: 'word', when: { text: { pattern: 'zorblax' } }, then: [{ label: 'seen' }] }] };
    expect((await call(0, '/v1/rules/versions', { json: doc })).status).toBe(201);
    expect((await call(0, '/v1/rules/versions/replica-1/publish', { method: 'POST' })).status).toBe(200);
    const publishedAt = performance.now();
    const lag = await untilHolds(publishedAt, moderate, async (response) => rules(await response.json())?.matched[0] === 'word');
    expect(lag).toBeLessThan(STALE_BOUND_MS);
  });

  it('applies a tenant rate limit set through the other replica within 1 s', async () => {
    const limitOf = async (response: Response) => {
      await response.arrayBuffer();
      return response.headers.get('ratelimit-limit');
    };
    expect(await limitOf(await call(1, '/v1/policies'))).toBe('1000');
    expect((await call(0, '/v1/rate-limit', { method: 'PUT', json: { requests_per_second: 400 } })).status).toBe(200);
    const changedAt = performance.now();
    const lag = await untilHolds(changedAt, () => call(1, '/v1/policies'), async (response) => (await limitOf(response)) === '400');
    expect(lag).toBeLessThan(STALE_BOUND_MS);
    expect((await call(0, '/v1/rate-limit', { method: 'PUT', json: { requests_per_second: null } })).status).toBe(200);
  });

  it('refuses a key revoked through the other replica within 1 s', async () => {
    const created = (await (await call(0, '/v1/keys', { json: { role: 'client' } })).json()) as { id: string; key: string };
    const useKey = () => call(1, '/v1/moderation/thresholds', { key: created.key });
    expect((await useKey()).status).toBe(200);
    expect((await call(0, `/v1/keys/${created.id}`, { method: 'DELETE' })).status).toBe(200);
    const revokedAt = performance.now();
    const lag = await untilHolds(revokedAt, useKey, async (response) => {
      await response.arrayBuffer();
      return response.status === 401;
    });
    expect(lag).toBeLessThan(STALE_BOUND_MS);
  });

  it('shows a moderation answered by one replica in the standing read from the other at once', async () => {
    const moderation = await call(0, '/v1/moderations', { json: { input: 'my card is 4111 1111 1111 1111, charge it', user: 'read-your-writes' } });
    expect(moderation.status).toBe(200);
    const { id } = (await moderation.json()) as { id: string };
    for (const replica of [1, 0]) {
      const standing = (await (await call(replica, '/v1/accounts/read-your-writes/standing')).json()) as { rung: string; events: { id: string }[] };
      expect(standing.events.map((e) => e.id)).toEqual([`moderation:${id}:0`]);
      expect(standing.rung).toBe('warning');
    }
  });
});
