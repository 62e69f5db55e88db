import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { verifyChain } from '../src/audit/index.ts';
import { type Store, openStore } from '../src/db/index.ts';
import { createServices } from '../src/app/index.ts';
import { buildApp } from '../src/server/index.ts';
import { describeEachBackend } from './support/backends.ts';
import { type TestServer, startTestServer } from './support/server.ts';

/**
 * Two server processes on one database: here two stores (separate connections or pools) and two apps,
 * as two processes would have. Events for one account, fired at both at once, must neither lose a
 * strike nor skip a rung. On PostgreSQL the account's row lock serialises them; SQLite admits one
 * writer at a time (the others wait for its busy timeout).
 */
describeEachBackend('enforcement with two servers on one database', (backend) => {
  let first: TestServer;
  let secondStore: Store;
  let second: FastifyInstance;
  let secondUrl: string;

  beforeAll(async () => {
    first = await startTestServer(backend);
    secondStore = await openStore(first.database.url);
    second = await buildApp(createServices(secondStore, first.clock), { logger: false });
    secondUrl = await second.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await second?.close();
    await secondStore?.close();
    await first?.close();
  });

  function post(baseUrl: string, json: unknown) {
    return fetch(`${baseUrl}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${first.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(json),
    });
  }

  it('counts every strike once and climbs every rung in order', async () => {
    const total = 40;
    const responses = await Promise.all(
      Array.from({ length: total }, (_, i) => post(i % 2 ? secondUrl : first.baseUrl, { id: `c${i}`, account: 'contested', violations: [{ clause_id: 'api.3.3' }] })),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(total).fill(201));

    const standing = (await (await first.request('/v1/accounts/contested/standing')).json()) as {
      score: number;
      rung: string;
      actions: { rung: string; previous_rung: string; reasons: { score: number } }[];
      events: unknown[];
    };
    expect(standing.score).toBe(total);
    expect(standing.events).toHaveLength(total);
    expect(standing.actions.map((a) => [a.previous_rung, a.rung, a.reasons.score])).toEqual([
      ['none', 'warning', 1],
      ['warning', 'sharing_restricted', 4],
      ['sharing_restricted', 'store_ineligible', 7],
      ['store_ineligible', 'monetization_ineligible', 10],
      ['monetization_ineligible', 'suspended', 14],
      ['suspended', 'terminated', 24],
    ]);
    expect(await verifyChain(first.store)).toMatchObject({ ok: true });
  });

  it('records an id sent to both servers at once exactly once', async () => {
    const body = { id: 'twice', account: 'dup', violations: [{ clause_id: 'api.3.3' }] };
    const responses = await Promise.all(Array.from({ length: 6 }, (_, i) => post(i % 2 ? secondUrl : first.baseUrl, body)));
    expect(responses.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 201]);
    const bodies = await Promise.all(responses.map((r) => r.json()));
    for (const b of bodies) expect(b).toEqual(bodies[0]);
    const standing = (await (await first.request('/v1/accounts/dup/standing')).json()) as { score: number; events: unknown[] };
    expect(standing).toMatchObject({ score: 1, events: [expect.anything()] });
  });
});
