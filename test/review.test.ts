import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachBackend } from './support/backends.ts';
import { type TestServer, expectApiError, startTestServer } from './support/server.ts';

interface CaseBody {
  id: string;
  status: string;
  priority: number;
  report_count: number;
  severity: string;
  child_safety: boolean;
  lease: { holder: string; expires_at: string } | null;
  target: { content: { text?: string } | null };
}
interface QueueBody {
  counts: Record<string, number>;
  data: CaseBody[];
}

describeEachBackend('review API', (backend) => {
  let server: TestServer;
  let client: string;
  let alice: string;
  let bob: string;
  let carol: string;
  let safetyOne: string;
  let safetyTwo: string;
  let seq = 0;

  beforeAll(async () => {
    server = await startTestServer(backend);
    [client, alice, bob, carol, safetyOne, safetyTwo] = await Promise.all([
      server.createKey('client'),
      server.createKey('reviewer'),
      server.createKey('reviewer'),
      server.createKey('reviewer'),
      server.createKey('child_safety' as 'reviewer'),
      server.createKey('child_safety' as 'reviewer'),
    ]);
  });
  afterAll(async () => server?.close());

  function report(overrides: Record<string, unknown> = {}) {
    seq += 1;
    return {
      idempotency_key: `report-${seq}`,
      reporter: 'user-42',
      target: { account: `acct-${seq}`, content: { text: `content number ${seq}` } },
      clause_id: 'universal.3',
      text: 'This is abusive.',
      ...overrides,
    };
  }

  async function file(body: Record<string, unknown>, key = client) {
    const res = await server.request('/v1/reports', { method: 'POST', json: body, key });
    return { res, body: (await res.json()) as { id: string; case_id: string; merged: boolean; replayed: boolean } };
  }

  async function caseOf(id: string, key = alice): Promise<CaseBody> {
    const res = await server.request(`/v1/review/cases/${id}`, { key });
    expect(res.status).toBe(200);
    return (await res.json()) as CaseBody;
  }

  const claim = (id: string, key: string) => server.request(`/v1/review/cases/${id}/claim`, { method: 'POST', key });
  const decide = (id: string, key: string, json: unknown) => server.request(`/v1/review/cases/${id}/decision`, { method: 'POST', key, json });
  const queue = async (key: string, query = '') => (await (await server.request(`/v1/review/queue${query}`, { key })).json()) as QueueBody;

  describe('reports', () => {
    it('opens a case, merges reports on the same target, and replays an idempotency key', async () => {
      const first = report({ target: { account: 'merge-acct', content: { text: 'the same post' } } });
      const a = await file(first);
      expect(a.res.status).toBe(201);
      expect(a.body).toMatchObject({ object: 'report', merged: false, replayed: false });
      const before = await caseOf(a.body.case_id);

      const b = await file(report({ target: { content: { text: 'the same post' } }, clause_id: undefined, category: 'harassment' }));
      expect(b.res.status).toBe(201);
      expect(b.body).toMatchObject({ case_id: a.body.case_id, merged: true });
      const after = await caseOf(a.body.case_id);
      expect(after.report_count).toBe(2);
      expect(after.priority).toBeGreaterThan(before.priority);

      const replay = await file(first);
      expect(replay.res.status).toBe(200);
      expect(replay.body).toMatchObject({ id: a.body.id, replayed: true });
      expect((await caseOf(a.body.case_id)).report_count).toBe(2);
    });

    it('refuses an idempotency key reused with a different body: 409, nothing changed', async () => {
      const body = report();
      await file(body);
      const res = await server.request('/v1/reports', { method: 'POST', key: client, json: { ...body, text: 'changed' } });
      expect((await expectApiError(res, 409)).param).toBe('idempotency_key');
    });

    it('refuses oversized evidence with 413 and an unknown clause with 400, writing nothing', async () => {
      const before = (await queue(alice)).counts.total;
      const big = await server.request('/v1/reports', { method: 'POST', key: client, json: report({ evidence: [{ type: 'text', value: 'x'.repeat(70_000) }] }) });
      expect((await expectApiError(big, 413)).param).toBe('evidence');
      const unknown = await server.request('/v1/reports', { method: 'POST', key: client, json: report({ clause_id: 'universal.99' }) });
      expect((await expectApiError(unknown, 400)).param).toBe('clause_id');
      const neither = await server.request('/v1/reports', { method: 'POST', key: client, json: report({ clause_id: undefined }) });
      expect((await expectApiError(neither, 400)).param).toBe('clause_id');
      expect((await queue(alice)).counts.total).toBe(before);
    });

    it('keeps a script in a report as inert text', async () => {
      const payload = '<img src=x onerror="alert(1)"><script>alert(2)</script>';
      const { body } = await file(report({ target: { account: 'xss', content: { text: payload } }, text: payload }));
      expect((await caseOf(body.case_id)).target.content?.text).toBe(payload);
    });

    it('lets only reporters file and only reviewers read the queue', async () => {
      await expectApiError(await server.request('/v1/reports', { method: 'POST', key: alice, json: report() }), 403);
      await expectApiError(await server.request('/v1/review/queue', { key: client }), 403);
    });
  });

  describe('queue and leases', () => {
    it('orders the queue by priority and filters by clause and category', async () => {
      const low = await file(report({ clause_id: 'api.3.3' }));
      const high = await file(report({ clause_id: 'universal.2' }));
      const { data, counts } = await queue(alice);
      const ids = data.map((c) => c.id);
      expect(ids.indexOf(high.body.case_id)).toBeLessThan(ids.indexOf(low.body.case_id));
      expect(counts.open).toBeGreaterThanOrEqual(2);
      expect((await queue(alice, '?clause=api.3.3')).data.map((c) => c.id)).toEqual([low.body.case_id]);
      expect((await queue(alice, '?category=harassment')).data.every((c) => c.id !== low.body.case_id)).toBe(true);
      await expectApiError(await server.request('/v1/review/queue?status=bogus', { key: alice }), 400);
    });

    it('gives one reviewer the lease; an expired lease returns the case', async () => {
      const { body } = await file(report());
      const first = await claim(body.case_id, alice);
      expect(first.status).toBe(200);
      await expectApiError(await claim(body.case_id, bob), 409);
      server.clock.advance(16 * 60_000);
      expect((await caseOf(body.case_id)).lease).toBeNull();
      expect((await claim(body.case_id, bob)).status).toBe(200);
      await expectApiError(await decide(body.case_id, alice, { outcome: 'no_violation' }), 409);
    });

    it('lets exactly one of many racing reviewers win each case', async () => {
      const racers = [alice, bob, carol];
      for (let round = 0; round < 5; round += 1) {
        const { body } = await file(report());
        const results = await Promise.all(racers.map((key) => claim(body.case_id, key)));
        expect(results.filter((r) => r.status === 200)).toHaveLength(1);
        expect(results.filter((r) => r.status === 409)).toHaveLength(2);
      }
    });

    it('refuses a claim by a client key and a case of another tenant', async () => {
      const { body } = await file(report());
      await expectApiError(await claim(body.case_id, client), 403);
      const stranger = await server.createKey('reviewer', 'other-tenant');
      await expectApiError(await claim(body.case_id, stranger), 404);
      await expectApiError(await server.request(`/v1/review/cases/${body.case_id}`, { key: stranger }), 404);
    });
  });

  describe('decisions', () => {
    it('turns a violation into an enforcement event on the account', async () => {
      const { body } = await file(report({ target: { account: 'decided-acct', content: { text: 'a threat' } } }));
      expect((await claim(body.case_id, alice)).status).toBe(200);
      const res = await decide(body.case_id, alice, { outcome: 'violation', clause_ids: ['universal.3'], notes: 'clear harassment' });
      expect(res.status).toBe(201);
      const decision = (await res.json()) as { case_status: string; enforcement: { event_id: string } };
      expect(decision.case_status).toBe('closed');
      expect(decision.enforcement.event_id).toBe(`review:${body.case_id}`);
      const standing = (await (await server.request('/v1/accounts/decided-acct/standing')).json()) as { rung: string; events: { id: string; source: string }[] };
      expect(standing.rung).toBe('warning');
      expect(standing.events[0]).toMatchObject({ id: `review:${body.case_id}`, source: 'review' });
      // A closed case takes no more claims, and a new report on the target opens a new case.
      await expectApiError(await claim(body.case_id, bob), 409);
      const again = await file(report({ target: { account: 'decided-acct', content: { text: 'a threat' } } }));
      expect(again.body.case_id).not.toBe(body.case_id);
    });

    it('refuses a decision citing a clause outside the policy, or without the lease: nothing changes', async () => {
      const { body } = await file(report());
      await expectApiError(await decide(body.case_id, alice, { outcome: 'no_violation' }), 409);
      await claim(body.case_id, alice);
      const bad = await decide(body.case_id, alice, { outcome: 'violation', clause_ids: ['universal.3', 'made.up'] });
      expect((await expectApiError(bad, 400)).param).toBe('clause_ids[1]');
      await expectApiError(await decide(body.case_id, alice, { outcome: 'violation', clause_ids: [] }), 400);
      await expectApiError(await decide(body.case_id, alice, { outcome: 'uphold' }), 400);
      const after = await caseOf(body.case_id);
      expect(after.status).toBe('open');
      expect(after.lease?.expires_at).toBeTruthy();
    });

    it('sends an escalation to an admin', async () => {
      const { body } = await file(report());
      await claim(body.case_id, alice);
      expect(((await (await decide(body.case_id, alice, { outcome: 'escalate' })).json()) as { case_status: string }).case_status).toBe('escalated');
      await expectApiError(await claim(body.case_id, bob), 403);
      expect((await claim(body.case_id, server.adminKey)).status).toBe(200);
      expect((await decide(body.case_id, server.adminKey, { outcome: 'no_violation' })).status).toBe(201);
    });
  });

  describe('child safety', () => {
    it('is visible only to the child_safety role; the finding suspends at once and a second reviewer confirms it', async () => {
      const { body } = await file(report({ target: { account: 'cs-acct', content: { text: 'reported content' } }, clause_id: 'universal.1', category: 'sexual/minors' }));
      await expectApiError(await server.request(`/v1/review/cases/${body.case_id}`, { key: alice }), 404);
      await expectApiError(await server.request(`/v1/review/cases/${body.case_id}`), 404);
      expect((await queue(alice)).data.some((c) => c.id === body.case_id)).toBe(false);
      const top = (await queue(safetyOne)).data[0]!;
      expect(top).toMatchObject({ id: body.case_id, child_safety: true });
      expect(top.priority).toBeGreaterThan(100);

      await claim(body.case_id, safetyOne);
      const first = (await (await decide(body.case_id, safetyOne, { outcome: 'violation', clause_ids: ['universal.1'], category: 'sexual/minors' })).json()) as {
        case_status: string;
        enforcement: unknown;
      };
      expect(first).toMatchObject({ case_status: 'awaiting_confirmation', enforcement: { event_id: `review:${body.case_id}` } });
      expect(((await (await server.request('/v1/accounts/cs-acct/standing')).json()) as { in_force: string }).in_force).toBe('suspended');
      await expectApiError(await claim(body.case_id, safetyOne), 403);

      expect((await claim(body.case_id, safetyTwo)).status).toBe(200);
      const second = (await (await decide(body.case_id, safetyTwo, { outcome: 'violation' })).json()) as { case_status: string; agreed: boolean };
      expect(second).toMatchObject({ case_status: 'closed', agreed: true });
      const standing = (await (await server.request('/v1/accounts/cs-acct/standing')).json()) as { in_force: string };
      expect(standing.in_force).toBe('suspended');
    });

    it('escalates when the second reviewer disagrees', async () => {
      const { body } = await file(report({ category: 'sexual/minors', clause_id: 'universal.1' }));
      await claim(body.case_id, safetyOne);
      await decide(body.case_id, safetyOne, { outcome: 'violation', clause_ids: ['universal.1'], category: 'sexual/minors' });
      await claim(body.case_id, safetyTwo);
      const res = (await (await decide(body.case_id, safetyTwo, { outcome: 'no_violation' })).json()) as { case_status: string; agreed: boolean };
      expect(res).toMatchObject({ case_status: 'escalated', agreed: false });
    });
  });

  describe('appeals', () => {
    it('queues an appeal as it is opened, away from the reviewer who decided, and its outcome decides the appeal', async () => {
      const { body } = await file(report({ target: { account: 'appealing', content: { text: 'appealed post' } } }));
      await claim(body.case_id, alice);
      await decide(body.case_id, alice, { outcome: 'violation', clause_ids: ['universal.3'] });
      const standingOf = async () =>
        (await (await server.request('/v1/accounts/appealing/standing')).json()) as { rung: string; actions: { id: string; status: string }[] };
      const before = await standingOf();
      expect(before.rung).not.toBe('none');
      const appealRes = await server.request('/v1/accounts/appealing/appeals', { method: 'POST', key: client, json: { action_id: before.actions[0]!.id, statement: 'It was a joke.' } });
      expect(appealRes.status).toBe(201);
      const appeal = (await appealRes.json()) as { id: string };

      const queued = (await queue(bob, '?kind=appeal')).data.filter((c) => (c as CaseBody & { appeal: { id: string } | null }).appeal?.id === appeal.id);
      expect(queued).toHaveLength(1);
      const appealCase = queued[0]!.id;
      const routed = await server.request('/v1/review/appeals', { method: 'POST', key: client, json: { appeal_id: appeal.id } });
      expect(routed.status).toBe(200);
      expect(await routed.json()).toMatchObject({ case_id: appealCase, created: false });

      await expectApiError(await claim(appealCase, alice), 403);
      expect((await claim(appealCase, bob)).status).toBe(200);
      const decided = (await (await decide(appealCase, bob, { outcome: 'overturn', notes: 'Satire, not harassment.' })).json()) as { appeal: { state: string } };
      expect(decided.appeal.state).toBe('overturned');
      const after = await standingOf();
      expect(after.actions.find((a) => a.id === before.actions[0]!.id)!.status).toBe('reversed');
      expect(after.rung).toBe('none');
      await expectApiError(await server.request('/v1/review/appeals', { method: 'POST', key: client, json: { appeal_id: 'apl_missing' } }), 404);
    });
  });

  describe('automatic cases and metrics', () => {
    it('opens a case from a moderation result that hits a high-severity clause', async () => {
      const before = (await queue(alice, '?kind=automatic')).data.length;
      const res = await server.request('/v1/moderations', { method: 'POST', key: client, json: { input: 'my card is 4111 1111 1111 1111', user: 'auto-acct' } });
      expect(res.status).toBe(200);
      const after = (await queue(alice, '?kind=automatic')).data;
      expect(after.length).toBe(before + 1);
      expect(after[0]).toMatchObject({ target: { account: 'auto-acct' } });
    });

    it('reports decisions per hour and agreement', async () => {
      const res = await server.request('/v1/review/metrics?window_hours=24', { key: alice });
      expect(res.status).toBe(200);
      const metrics = (await res.json()) as { decisions: number; decisions_per_hour: number; reviewer_agreement: { n: number; agreed: number } };
      expect(metrics.decisions).toBeGreaterThan(0);
      expect(metrics.decisions_per_hour).toBeCloseTo(metrics.decisions / 24, 2);
      expect(metrics.reviewer_agreement).toMatchObject({ n: 2, agreed: 1 });
      await expectApiError(await server.request('/v1/review/metrics', { key: client }), 403);
    });

    it('lets an admin tune the automatic cases, refusing a bad band', async () => {
      const current = (await (await server.request('/v1/review/settings')).json()) as Record<string, unknown>;
      const { object: _object, ...settings } = current;
      const bad = await server.request('/v1/review/settings', { method: 'PUT', json: { ...settings, automatic_cases: { enabled: true, uncertainty_band: { low: 0.8, high: 0.2 }, severities: [] } } });
      expect((await expectApiError(bad, 400)).param).toBe('automatic_cases.uncertainty_band.low');
      const ok = await server.request('/v1/review/settings', { method: 'PUT', json: { ...settings, lease_minutes: 5 } });
      expect(((await ok.json()) as { lease_minutes: number }).lease_minutes).toBe(5);
    });
  });
});
