import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeEachBackend } from './support/backends.ts';
import { type TestServer, expectApiError, startTestServer } from './support/server.ts';

const T0 = '2026-01-01T00:00:00.000Z';
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();

/** Three harassment flags in ten minutes from a young account go to review; spam reports get a label; casino listings are blocked, in shadow. */
const candidate = {
  version: 'v1',
  summary: 'first rules',
  rules: [
    {
      id: 'harassment-burst',
      when: { all: [{ account_age: { under: '1d' } }, { count: { of: { category: 'harassment' }, per: 'account', window: '10m', at_least: 3 } }] },
      then: [{ review: { priority: 'high' } }, { label: 'burst' }],
    },
    { id: 'crypto-spam', when: { all: [{ source: ['report'] }, { text: { pattern: '\\bfree\\s+crypto\\b' } }] }, then: [{ label: 'spam' }] },
    { id: 'casino-apps', mode: 'shadow', when: { all: [{ surface: ['store'] }, { text: { pattern: 'casino', field: 'description' } }] }, then: [{ block: true }] },
  ],
};

describeEachBackend('rules', (backend) => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer(backend);
  });
  afterEach(async () => server.close());

  async function event(id: string, account: string, minutes: number, category: string, clause = 'universal.3') {
    server.clock.set(at(minutes));
    const response = await server.request('/v1/events', { method: 'POST', json: { id, account, occurred_at: at(minutes), violations: [{ clause_id: clause, category, score: 0.9 }] } });
    expect(response.status, await response.clone().text()).toBeLessThan(300);
  }

  async function seedHistory() {
    // acct-a: harassment at 0, 4, 9 (3 in 10m → match at 9), 25 (alone: no match).
    for (const [i, m] of [0, 4, 9, 25].entries()) await event(`a${i}`, 'acct-a', m, 'harassment');
    // acct-b: harassment at 0, 5, 10: the first is exactly 10m old at 10, so never 3 in the window.
    for (const [i, m] of [0, 5, 10].entries()) await event(`b${i}`, 'acct-b', m, 'harassment');
    // acct-c: three hate flags: counted, but not what the rule counts.
    for (const [i, m] of [1, 2, 3].entries()) await event(`c${i}`, 'acct-c', m, 'hate');
    server.clock.set(at(30));
    for (const [i, text] of ['get FREE   crypto now', 'nice post', 'free crypto!!'].entries()) {
      const response = await server.request('/v1/reports', { method: 'POST', json: { idempotency_key: `r${i}`, reporter: 'user-9', target: { account: 'acct-d' }, category: 'illicit', text } });
      expect(response.status, await response.clone().text()).toBeLessThan(300);
    }
    server.clock.set(at(40));
    for (const description of ['An online casino helper', 'A recipe helper']) {
      const response = await server.request('/v1/store/submissions', { method: 'POST', json: { name: 'Helper', description } });
      expect(response.status).toBe(201);
    }
  }

  it('backtests a candidate over stored history with exact counts, then stores, shadows and publishes it, audited', async () => {
    await seedHistory();
    const response = await server.request('/v1/rules/backtest', { method: 'POST', json: { document: candidate, from: at(-1), to: at(60), examples: 5 } });
    expect(response.status).toBe(200);
    const report = await response.json();
    expect(report.items).toEqual({ moderation: 10, report: 3, submission: 2 });
    expect(report.live).toBeNull();
    expect(report.candidate.actions).toEqual({ review: 1, label: 3 });
    expect(report.candidate.shadow_actions).toEqual({ block: 1 });
    expect(report.candidate.rules).toEqual([
      { id: 'harassment-burst', mode: 'live', matches: 1, accounts: 1 },
      { id: 'crypto-spam', mode: 'live', matches: 2, accounts: 1 },
      { id: 'casino-apps', mode: 'shadow', matches: 1, accounts: 0 },
    ]);
    expect(report.candidate.accounts_affected).toBe(2);
    expect(report.accounts).toEqual(['acct-a', 'acct-d']);
    expect(report.changed_items).toBe(3);
    expect(report.examples[0]).toMatchObject({ ref: 'event:' + report.examples[0].ref.slice(6), at: at(9), account: 'acct-a', rules: ['harassment-burst'], actions: ['label', 'review'] });

    // Nothing was written by the backtest: no versions, no hits.
    expect((await (await server.request('/v1/rules/versions')).json()).data).toEqual([]);

    expect((await server.request('/v1/rules/versions', { method: 'POST', json: candidate })).status).toBe(201);
    const shadow = await server.request('/v1/rules/shadow', { method: 'PUT', json: { version: 'v1' } });
    expect(await shadow.json()).toMatchObject({ live: null, shadow: 'v1' });
    const published = await server.request('/v1/rules/versions/v1/publish', { method: 'POST' });
    expect(await published.json()).toMatchObject({ live: 'v1', shadow: null });
    const versions = (await (await server.request('/v1/rules/versions')).json()).data;
    expect(versions).toMatchObject([{ version: 'v1', rules: 3, live: true, shadow: false }]);

    // A backtest of the live version changes nothing.
    const same = await (await server.request('/v1/rules/backtest', { method: 'POST', json: { version: 'v1', from: at(-1), to: at(60) } })).json();
    expect(same.changed_items).toBe(0);
    expect(same.action_delta).toEqual({ review: 0, label: 0 });

    const audit = await (await server.request('/v1/audit?limit=50')).json();
    const actions = (audit.data as { action: string }[]).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['rules.version_created', 'rules.shadow_started', 'rules.published']));
  });

  it('refuses a broken document naming the path, a duplicate version, an unknown clause and other roles', async () => {
    const broken = { ...candidate, rules: [{ ...candidate.rules[1], when: { text: { pattern: '(a)\\1' } } }] };
    const error = await expectApiError(await server.request('/v1/rules/versions', { method: 'POST', json: broken }), 400);
    expect(error.param).toBe('rules[0].when.text.pattern');
    const unknownClause = { ...candidate, rules: [{ id: 'x', when: { category: 'hate' }, then: [{ flag_clause: 'nope.1' }] }] };
    expect((await expectApiError(await server.request('/v1/rules/versions', { method: 'POST', json: unknownClause }), 400)).param).toBe('rules[0].then[0].flag_clause');
    const yaml = 'version: y1\nsummary: from yaml\nrules:\n  - id: cards\n    when: { detector: payment_card }\n    then: [{ label: pii }]\n';
    expect((await server.request('/v1/rules/versions', { method: 'POST', body: yaml, headers: { 'content-type': 'application/yaml' } })).status).toBe(201);
    expect((await expectApiError(await server.request('/v1/rules/versions', { method: 'POST', body: yaml, headers: { 'content-type': 'application/yaml' } }), 409)).param).toBe('version');
    expect((await expectApiError(await server.request('/v1/rules/versions/nope/publish', { method: 'POST' }), 404)).param).toBe('version');
    const client = await server.createKey('client');
    await expectApiError(await server.request('/v1/rules/versions', { method: 'POST', json: candidate, key: client }), 403);
    await expectApiError(await server.request('/v1/rules/versions', { key: client }), 403);
    const backtestError = await expectApiError(await server.request('/v1/rules/backtest', { method: 'POST', json: { from: at(0), to: at(1) } }), 400);
    expect(backtestError.param).toBe('document');
  });

  it('keeps tenants apart', async () => {
    expect((await server.request('/v1/rules/versions', { method: 'POST', json: candidate })).status).toBe(201);
    const other = await server.createKey('admin', 'other-tenant');
    expect((await (await server.request('/v1/rules/versions', { key: other })).json()).data).toEqual([]);
    await expectApiError(await server.request('/v1/rules/versions/v1/publish', { method: 'POST', key: other }), 404);
    expect((await server.request('/v1/rules/versions', { method: 'POST', json: candidate, key: other })).status).toBe(201);
  });

  it('records shadow and live matches as hits and counts them; shadow matches take no action', async () => {
    const doc = { version: 'h1', summary: 'hits', rules: [{ id: 'live-one', when: { category: 'hate' }, then: [{ label: 'hate' }] }, { id: 'quiet', mode: 'shadow', when: { category: 'hate' }, then: [{ block: true }] }] };
    await server.request('/v1/rules/versions', { method: 'POST', json: doc });
    await server.request('/v1/rules/versions/h1/publish', { method: 'POST' });
    const tenantId = (await server.services.tenancy.listTenants())[0]!.id;
    const rules = await server.services.rules.rulesFor(tenantId);
    const subject = {
      tenantId,
      at: Date.parse(at(1)),
      source: 'moderation' as const,
      surface: 'api' as const,
      inputType: 'text' as const,
      language: 'en',
      account: { id: 'acct-z', createdAt: null, standing: 'none' as const },
      appId: null,
      scores: { hate: 0.9 },
      flagged: new Set(['hate']),
      detectors: new Set<string>(),
      clauses: new Set<string>(),
      hashBanks: new Set<string>(),
      texts: {},
    };
    const evaluation = rules.evaluate(subject);
    expect(evaluation.effects.block).toBe(false);
    expect(evaluation.effects.labels).toEqual(['hate']);
    server.services.ruleHits.record(subject, 'modr-1', evaluation.matches);
    const hits = await (await server.request(`/v1/rules/hits?from=${at(0)}&to=${at(5)}`)).json();
    expect(hits.data).toEqual([
      { version: 'h1', rule: 'live-one', mode: 'live', matches: 1, accounts: 1, actions: { label: 1 }, examples: [{ subject_ref: 'modr-1', account: 'acct-z', source: 'moderation', at: at(1) }] },
      { version: 'h1', rule: 'quiet', mode: 'shadow', matches: 1, accounts: 1, actions: { block: 1 }, examples: [{ subject_ref: 'modr-1', account: 'acct-z', source: 'moderation', at: at(1) }] },
    ]);
  });
});
