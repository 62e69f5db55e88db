import { afterEach, beforeEach, expect, it } from 'vitest';
import { bundledPolicies } from '../src/policy/index.ts';
import { describeEachBackend } from './support/backends.ts';
import { type TestServer, expectApiError, startTestServer } from './support/server.ts';

const seed = bundledPolicies().find((doc) => doc.version === '2024-01-10')!;

/** The seed plus a tenant clause with its own store check: no category, a pattern, sent to review. */
function withClause(storeCheck: Record<string, unknown>, version = '2026-03-01') {
  return {
    ...seed,
    version,
    effective_date: '2026-03-01',
    changelog: [{ date: '2026-03-01', summary: `No crypto giveaways (${version}).` }, ...seed.changelog],
    clauses: [
      ...seed.clauses,
      { id: 'tenant.1', section: 'House rules', title: 'No crypto giveaways', group: null, text: 'Apps must not promise crypto giveaways.', applies_to: ['store'], categories: [], severity: 'medium', exemptions: [], store_check: storeCheck },
    ],
  };
}

describeEachBackend('store checks as policy data', (backend) => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer(backend);
  });
  afterEach(async () => server.close());

  it("enforces a tenant's own clause through the check it carries", async () => {
    const check = { check: 'rule', patterns: ['\\bfree\\s+(?:crypto|bitcoin)\\s+giveaways?\\b'], outcome: 'needs_review', reason: 'The app promises crypto giveaways.' };
    expect((await server.request('/v1/policies', { method: 'POST', json: withClause(check) })).status).toBe(201);
    const description = 'Join our FREE  Bitcoin giveaway today';
    const submitted = await (await server.request('/v1/store/submissions', { method: 'POST', json: { name: 'Coin Pal', description } })).json();
    expect(submitted.status).toBe('needs_review');
    expect(submitted.reasons).toEqual([
      { clause_id: 'tenant.1', outcome: 'needs_review', check: 'rule', reason: 'The app promises crypto giveaways.', field: 'description', span: [9, 31], excerpt: 'FREE  Bitcoin giveaway', source: 'rule:pattern[0]', category: null },
    ]);
    const clean = await (await server.request('/v1/store/submissions', { method: 'POST', json: { name: 'Coin Pal', description: 'Tracks coin prices.' } })).json();
    expect(clean.status).toBe('approved');
  });

  it('refuses a check naming an unknown signal or a pattern RE2 cannot run, naming the path, and publishes nothing', async () => {
    const index = seed.clauses.length;
    const unknownSignal = await expectApiError(await server.request('/v1/policies', { method: 'POST', json: withClause({ check: 'rule', signals: ['no-such-signal'], reason: 'x' }) }), 400);
    expect(unknownSignal.param).toBe(`clauses[${index}].store_check.signals[0]`);
    const badPattern = await expectApiError(await server.request('/v1/policies', { method: 'POST', json: withClause({ check: 'rule', patterns: ['(a)\\1'], reason: 'x' }) }), 400);
    expect(badPattern.param).toBe(`clauses[${index}].store_check.patterns[0]`);
    const noTrigger = await expectApiError(await server.request('/v1/policies', { method: 'POST', json: withClause({ check: 'rule', reason: 'x' }) }), 400);
    expect(noTrigger.param).toBe(`clauses[${index}].store_check.check`);
    const versions = (await (await server.request('/v1/policies')).json()).data.map((v: { version: string }) => v.version);
    expect(versions).not.toContain('2026-03-01');
  });
});
