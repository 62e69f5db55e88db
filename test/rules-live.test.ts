import OpenAI from 'openai';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeEachBackend } from './support/backends.ts';
import { type TestServer, startTestServer } from './support/server.ts';

const T0 = '2026-04-01T10:00:00.000Z';

interface Verdict {
  flagged: boolean;
  categories: Record<string, boolean>;
  category_scores: Record<string, number>;
  warden: {
    flagged: boolean;
    violations: { clause_id: string; category: string; score: number; decided_by?: string; rules?: string[] }[];
    rules?: { version: string; matched: string[]; labels: string[]; block: boolean; review_priority: number | null; notify: { rule: string; message: string | null }[] };
  };
}

/** Live: a made-up spam word flags universal.3; "glorp" raises harassment; both label. In shadow: a block on the spam word. */
const v1 = {
  version: 'v1',
  summary: 'spam word and insults',
  rules: [
    { id: 'zorblax-spam', when: { text: { pattern: '\\bzorblax\\b' } }, then: [{ flag_clause: 'universal.3' }, { label: 'spam' }] },
    { id: 'insult', when: { text: { pattern: '\\bglorps?\\b' } }, then: [{ raise_score: { category: 'harassment', by: 0.9 } }, { review: { priority: 'urgent' } }] },
    { id: 'zorblax-block', mode: 'shadow', when: { text: { pattern: 'zorblax' } }, then: [{ block: true }] },
    { id: 'notify-on-spam', when: { text: { pattern: 'zorblax' } }, then: [{ notify: { message: 'spam word seen' } }] },
  ],
};

describeEachBackend('tenant rules on /v1/moderations', (backend) => {
  let server: TestServer;
  let client: OpenAI;
  beforeEach(async () => {
    server = await startTestServer(backend);
    server.clock.set(T0);
    client = new OpenAI({ apiKey: await server.createKey('client'), baseURL: `${server.baseUrl}/v1`, maxRetries: 0 });
  });
  afterEach(async () => server.close());

  const moderate = async (input: string | string[], user?: string) => (await client.moderations.create({ model: 'omni-moderation-latest', input, ...(user && { user }) })).results as unknown as Verdict[];
  const store = (doc: unknown) => server.request('/v1/rules/versions', { method: 'POST', json: doc });

  it('a published rule flags a clause, raises a score, routes to review and notifies, cited in the verdict; its shadow rule only counts', async () => {
    const [before] = await moderate('buy zorblax today');
    expect(before!.flagged).toBe(false);
    expect(before!.warden.rules).toBeUndefined();
    expect((await store(v1)).status).toBe(201);
    // Stored but not published: nothing changes.
    expect((await moderate('buy zorblax today'))[0]!.warden.flagged).toBe(false);
    expect((await server.request('/v1/rules/versions/v1/publish', { method: 'POST' })).status).toBe(200);

    const [spam, benign] = await moderate(['buy zorblax today', 'Have a lovely day.'], 'acct-1');
    expect(spam!.flagged).toBe(true);
    expect(spam!.warden.flagged).toBe(true);
    const flagged = spam!.warden.violations.find((v) => v.clause_id === 'universal.3');
    expect(flagged).toMatchObject({ decided_by: 'rule', rules: ['zorblax-spam'] });
    expect(spam!.categories[flagged!.category] ?? true).toBe(true);
    expect(spam!.warden.rules).toEqual({ version: 'v1', matched: ['zorblax-spam', 'notify-on-spam'], labels: ['spam'], block: false, review_priority: null, notify: [{ rule: 'notify-on-spam', message: 'spam word seen' }] });
    expect(benign!.flagged).toBe(false);
    expect(benign!.warden.rules).toBeUndefined();

    const [insult] = await moderate('you are such a glorp', 'acct-2');
    expect(insult!.category_scores.harassment).toBeGreaterThanOrEqual(0.9);
    expect(insult!.categories.harassment).toBe(true);
    expect(insult!.warden.violations).toEqual(expect.arrayContaining([expect.objectContaining({ clause_id: 'universal.3', category: 'harassment', decided_by: 'rule', rules: ['insult'] })]));
    expect(insult!.warden.rules).toMatchObject({ matched: ['insult'], review_priority: 100 });

    // The rule-made violations are acted on like the detector's: a strike for the account, an urgent case, a notify event.
    const events = await server.store.db.selectFrom('enforcement_events').select(['id', 'violations']).where('source', '=', 'moderation').execute();
    expect(events.map((e) => e.id).sort()).toHaveLength(2);
    const routed = await server.store.db.selectFrom('review_cases').select(['priority']).where('account_external_id', '=', 'acct-2').execute();
    expect(routed).toHaveLength(1);
    expect(routed[0]!.priority).toBe(100);
    const notices = await server.store.db.selectFrom('outbox').select(['type', 'payload']).where('type', '=', 'rule.notify').execute();
    expect(notices).toHaveLength(1);
    expect(JSON.parse(notices[0]!.payload)).toMatchObject({ rule: 'notify-on-spam', version: 'v1', account: 'acct-1', labels: ['spam'] });

    // Hits: the shadow block matched both spam requests after publication and acted on none.
    const hits = (await (await server.request(`/v1/rules/hits?from=${T0}&to=2026-04-01T11:00:00.000Z`)).json()).data as { rule: string; mode: string; matches: number; actions: Record<string, number> }[];
    expect(hits.find((h) => h.rule === 'zorblax-block')).toMatchObject({ mode: 'shadow', matches: 1, actions: { block: 1 } });
    expect(hits.find((h) => h.rule === 'zorblax-spam')).toMatchObject({ mode: 'live', matches: 1 });
    expect(spam!.warden.rules!.block).toBe(false);
  });

  it('a version in shadow changes no verdict but records its matches', async () => {
    const shadow = { version: 's1', summary: 'would block greetings', rules: [{ id: 'greeting', when: { text: { pattern: 'hello' } }, then: [{ block: true }, { flag_clause: 'universal.3' }] }] };
    expect((await store(shadow)).status).toBe(201);
    expect((await server.request('/v1/rules/shadow', { method: 'PUT', json: { version: 's1' } })).status).toBe(200);
    const [result] = await moderate('Hello there, friend', 'acct-3');
    expect(result!.flagged).toBe(false);
    expect(result!.warden.flagged).toBe(false);
    expect(result!.warden.violations).toEqual([]);
    expect(result!.warden.rules).toBeUndefined();
    expect(await server.store.db.selectFrom('enforcement_events').select('id').execute()).toEqual([]);
    const hits = (await (await server.request(`/v1/rules/hits?from=${T0}&to=2026-04-01T11:00:00.000Z`)).json()).data;
    expect(hits).toEqual([expect.objectContaining({ version: 's1', rule: 'greeting', mode: 'shadow', matches: 1, accounts: 1, actions: { block: 1, flag_clause: 1 } })]);
  });

  it('counts every moderation result in trends by category, clause, surface and decision source', async () => {
    expect((await store(v1)).status).toBe(201);
    await server.request('/v1/rules/versions/v1/publish', { method: 'POST' });
    await moderate(['Have a lovely day.', 'What a nice morning.']);
    await moderate('buy zorblax today', 'acct-9');
    const get = async (query: string) => (await (await server.request(`/v1/trends?granularity=minute&from=${T0}&to=2026-04-01T10:05:00.000Z&${query}`)).json()) as { series: { key: string | null; total: number }[] };
    const bySource = await get('group_by=source');
    expect(Object.fromEntries(bySource.series.map((s) => [s.key, s.total]))).toEqual({ moderation: 2, rule: 1 });
    const byClause = await get('group_by=clause&source=rule');
    expect(byClause.series.map((s) => [s.key, s.total])).toEqual([['universal.3', 1]]);
    const bySurface = await get('group_by=surface');
    expect(bySurface.series.map((s) => [s.key, s.total])).toEqual([['api', 3]]);
    // The drill-down names the items behind the rule's bucket: the account's event and the rule's matches.
    const items = await (await server.request(`/v1/trends/items?from=${T0}&to=2026-04-01T10:01:00.000Z&clause=universal.3&source=rule`)).json();
    expect(items.events).toEqual([expect.objectContaining({ account: 'acct-9', violations: [expect.objectContaining({ clause_id: 'universal.3' })] })]);
    expect(items.rule_hits.map((h: { rule: string; mode: string }) => `${h.rule}/${h.mode}`).sort()).toEqual(['notify-on-spam/live', 'zorblax-block/shadow', 'zorblax-spam/live']);
  });

  it('rules that read the account see its age and standing', async () => {
    const young = { version: 'a1', summary: 'new accounts', rules: [{ id: 'newcomer', when: { all: [{ account_age: { under: '1h' } }, { text: { pattern: 'zorblax' } }] }, then: [{ label: 'newcomer' }] }] };
    expect((await store(young)).status).toBe(201);
    await server.request('/v1/rules/versions/a1/publish', { method: 'POST' });
    // Unseen, an account is new: the rule matches; an account first seen two hours ago does not.
    expect((await moderate('zorblax', 'fresh'))[0]!.warden.rules?.labels).toEqual(['newcomer']);
    const events = await server.request('/v1/events', { method: 'POST', json: { id: 'e1', account: 'old', occurred_at: T0, violations: [{ clause_id: 'universal.3', category: 'harassment', score: 0.9 }] } });
    expect(events.status).toBeLessThan(300);
    server.clock.set('2026-04-01T12:00:00.000Z');
    expect((await moderate('zorblax', 'old'))[0]!.warden.rules).toBeUndefined();
  });
});
