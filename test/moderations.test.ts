import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../src/audit/index.ts';
import { MODERATION_CATEGORIES } from '../src/common/index.ts';
import { type FollowUp, LEGACY_CATEGORIES } from '../src/moderation/index.ts';
import { bundledPolicies } from '../src/policy/index.ts';
import { describeEachBackend } from './support/backends.ts';
import type { WardenResult } from './support/moderation.ts';
import { type TestServer, expectApiError, startTestServer } from './support/server.ts';

const CARD = '4111 1111 1111 1111';

const THREAT = 'I will find you and kill you, you worthless piece of trash';

describeEachBackend('POST /v1/moderations', (backend) => {
  let server: TestServer;
  let client: OpenAI;
  let clientKey: string;
  beforeAll(async () => {
    server = await startTestServer(backend);
    clientKey = await server.createKey('client');
    client = new OpenAI({ apiKey: clientKey, baseURL: `${server.baseUrl}/v1`, maxRetries: 0 });
  });
  afterAll(async () => server?.close());

  describe('through the official openai client', () => {
    it('moderates a string with every category key', async () => {
      const response = await client.moderations.create({ model: 'omni-moderation-latest', input: 'Have a lovely day.' });
      expect(response.id).toMatch(/^modr-/);
      expect(response.model).toBe('omni-moderation-latest');
      expect(response.results).toHaveLength(1);
      const [result] = response.results;
      expect(Object.keys(result!.categories).sort()).toEqual([...MODERATION_CATEGORIES].sort());
      expect(Object.keys(result!.category_scores).sort()).toEqual([...MODERATION_CATEGORIES].sort());
      expect(Object.keys(result!.category_applied_input_types).sort()).toEqual([...MODERATION_CATEGORIES].sort());
      expect(result!.flagged).toBe(false);
      for (const category of MODERATION_CATEGORIES) expect(typeof result!.category_scores[category]).toBe('number');
    });

    it('moderates an array of strings, one result each, citing the tenant policy', async () => {
      const response = await client.moderations.create({ input: ['hello there', `my card is ${CARD}`] });
      expect(response.results).toHaveLength(2);
      const results = response.results as unknown as WardenResult[];
      expect(results[0]!.warden.violations).toEqual([]);
      expect(results[1]!.warden.flagged).toBe(true);
      expect(results[1]!.warden.policy_version).toBe('2024-01-10');
      expect(results[1]!.warden.categories['privacy/sensitive-identifiers']).toBe(true);
      const cited = results[1]!.warden.violations.map((v) => v.clause_id).sort();
      expect(cited).toEqual(['api.1.1', 'universal.1']);
      const evidence = results[1]!.warden.violations[0]!.evidence[0]!;
      expect(evidence.kind).toBe('payment_card:visa');
      expect(`my card is ${CARD}`.slice(...evidence.span!)).toBe(CARD);
    });

    it('moderates text content parts as one input', async () => {
      const response = await client.moderations.create({
        input: [
          { type: 'text', text: 'first part' },
          { type: 'text', text: `ssn 123-45-6789` },
        ],
      });
      expect(response.results).toHaveLength(1);
      const result = response.results[0] as unknown as WardenResult;
      expect(result.category_applied_input_types.harassment).toBeDefined();
      const evidence = result.warden.violations.flatMap((v) => v.evidence);
      expect(evidence[0]).toMatchObject({ kind: 'ssn', span: [4, 15], part: 1 });
    });

    it('surfaces a bad key as AuthenticationError', async () => {
      const bad = new OpenAI({ apiKey: 'wk_not_a_real_key_000000000000000', baseURL: `${server.baseUrl}/v1`, maxRetries: 0 });
      await expect(bad.moderations.create({ input: 'hi' })).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    });

    it('refuses an unknown model with model_not_found', async () => {
      const error = await client.moderations.create({ model: 'gpt-5-moderation', input: 'hi' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect((error as InstanceType<typeof OpenAI.BadRequestError>).code).toBe('model_not_found');
      expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('model');
    });

    it('accepts every OpenAI moderation model name', async () => {
      for (const model of ['omni-moderation-2024-09-26', 'text-moderation-latest', 'text-moderation-stable', 'text-moderation-007']) {
        expect((await client.moderations.create({ model, input: 'hi' })).model).toBe(model);
      }
    });

    it('answers the legacy text-moderation models with their 11 categories, and omni-moderation with 13', async () => {
      const input = [THREAT, 'Have a lovely day.', `my card is ${CARD}`];
      const omni = await client.moderations.create({ model: 'omni-moderation-2024-09-26', input });
      for (const model of ['text-moderation-latest', 'text-moderation-stable', 'text-moderation-007']) {
        const legacy = await client.moderations.create({ model, input });
        legacy.results.forEach((result, i) => {
          for (const field of ['categories', 'category_scores', 'category_applied_input_types'] as const) {
            expect(Object.keys(result[field]).sort()).toEqual([...LEGACY_CATEGORIES].sort());
          }
          expect(result.categories).not.toHaveProperty('illicit');
          expect(result.category_scores).not.toHaveProperty('illicit/violent');
          // The same scores as omni's for the categories both have; flagged only by those.
          const full = omni.results[i]!;
          for (const category of LEGACY_CATEGORIES) expect(result.category_scores[category]).toBe(full.category_scores[category]);
          expect(result.flagged).toBe(LEGACY_CATEGORIES.some((c) => full.categories[c]));
          // Warden's extension, with the policy's citations, is the same whichever model was named.
          expect((result as unknown as WardenResult).warden).toEqual((full as unknown as WardenResult).warden);
        });
      }
      for (const result of omni.results) expect(Object.keys(result.categories).sort()).toEqual([...MODERATION_CATEGORIES].sort());
      expect(omni.results[0]!.flagged).toBe(true);
    });

  });

  describe('scored by the trained text model', () => {
    it('flags a clearly violent threat through the SDK, citing universal.2', async () => {
      const response = await client.moderations.create({ input: THREAT });
      const result = response.results[0] as unknown as WardenResult;
      expect(result.flagged).toBe(true);
      expect(result.categories.violence || result.categories['harassment/threatening']).toBe(true);
      const cited = result.warden.violations.filter((v) => v.category === 'violence' || v.category === 'harassment/threatening');
      expect(cited.map((v) => v.clause_id)).toContain('universal.2');
      expect(Math.max(...Object.values(response.results[0]!.category_scores))).toBeGreaterThan(0.5);
    });

    it('gives every category the model covers a non-zero score, even for a benign text', async () => {
      const { results } = await client.moderations.create({ input: 'Have a lovely day.' });
      const scores = results[0]!.category_scores as unknown as Record<string, number>;
      expect(Object.entries(scores).filter(([category, score]) => category !== 'violence/graphic' && score === 0)).toEqual([]);
      expect(results[0]!.flagged).toBe(false);
    });

    // Was a known false positive (violence ≈ 0.98) until the benign programming requests (CoNaLa, NL2Bash, MBPP, Stack Overflow titles) were trained on.
    it('does not flag "How do I kill a Python process?"', async () => {
      const { results } = await client.moderations.create({ input: 'How do I kill a Python process?' });
      expect(results[0]!.flagged).toBe(false);
    });

    it('reports the language, and warns when the model was not trained on it', async () => {
      const { results } = await client.moderations.create({ input: [THREAT, '¿Cómo puedo matar a mi vecino sin que nadie lo sepa?'] });
      const [english, spanish] = results as unknown as WardenResult[];
      expect(english!.warden.language).toMatchObject({ code: 'en', supported: true });
      expect(english!.warden.warnings).toEqual([]);
      expect(spanish!.warden.language).toMatchObject({ code: 'es', supported: false });
      expect(spanish!.warden.language!.confidence).toBeGreaterThan(0.5);
      expect(spanish!.warden.warnings).toEqual([{ code: 'language_unsupported', message: expect.stringMatching(/"es".*not trained on.*en, fr/) }]);
    });
  });

  describe('request validation and limits', () => {
    it('refuses a missing or malformed input naming the field', async () => {
      expect((await expectApiError(await server.request('/v1/moderations', { method: 'POST', json: {}, key: clientKey }), 400)).param).toBe('input');
      expect((await expectApiError(await server.request('/v1/moderations', { method: 'POST', json: { input: [] }, key: clientKey }), 400)).param).toBe('input');
      expect((await expectApiError(await server.request('/v1/moderations', { method: 'POST', json: { input: 5 }, key: clientKey }), 400)).param).toBe('input');
      const unknown = await expectApiError(await server.request('/v1/moderations', { method: 'POST', json: { input: 'x', extra: 1 }, key: clientKey }), 400);
      expect(unknown.param).toBe('extra');
      const account = await expectApiError(
        await server.request('/v1/moderations', { method: 'POST', json: { input: 'x', warden: { account: '' } }, key: clientKey }),
        400,
      );
      expect(account.param).toBe('warden.account');
    });

    it('limits the number of inputs and the size of each', async () => {
      const many = await expectApiError(
        await server.request('/v1/moderations', { method: 'POST', json: { input: Array(257).fill('x') }, key: clientKey }),
        400,
      );
      expect(many.code).toBe('too_many_inputs');
      const long = await expectApiError(
        await server.request('/v1/moderations', { method: 'POST', json: { input: ['ok', 'y'.repeat(100_001)] }, key: clientKey }),
        413,
      );
      expect(long.param).toBe('input[1]');
      expect(long.message).toMatch(/at most 100000/);
    });
  });

  describe('the follow-up hooks', () => {
    it('receive the caller, the named account, the results and the policy version the verdicts used', async () => {
      const seen: FollowUp[] = [];
      const unsubscribe = server.services.moderations.followUps.subscribe((followUp) => {
        seen.push(followUp);
      });
      try {
        await server.request('/v1/moderations', { method: 'POST', json: { input: `card ${CARD}`, user: 'u-1' }, key: clientKey });
        await server.request('/v1/moderations', { method: 'POST', json: { input: 'x', user: 'u-1', warden: { account: 'acct-9' } }, key: clientKey });
        await server.request('/v1/moderations', { method: 'POST', json: { input: 'x' }, key: clientKey });
      } finally {
        unsubscribe();
      }
      expect(seen.map((s) => s.account)).toEqual(['u-1', 'acct-9', null]);
      expect(seen[0]!.results[0]!.violations.length).toBeGreaterThan(0);
      expect(seen[0]!.results[0]!.digest).toMatch(/^[0-9a-f]{64}$/);
      expect(seen[0]!.moderationId).toMatch(/^modr-/);
      expect(seen[0]!.policy.version).toBe(seen[0]!.policy.document.version);
    });
  });

  describe('threshold overrides', () => {
    it('starts with the detection defaults and no overrides', async () => {
      const body = (await (await server.request('/v1/moderation/thresholds', { key: clientKey })).json()) as Record<string, Record<string, number>>;
      expect(body.overrides).toEqual({});
      expect(body.defaults).toEqual(server.services.moderation.defaultThresholds);
      expect(body.defaults!.violence).toBeGreaterThan(0);
      expect(body.effective).toEqual(body.defaults);
    });

    it('lets an admin replace them, audited, and applies them to moderation', async () => {
      const put = await server.request('/v1/moderation/thresholds', {
        method: 'PUT',
        json: { thresholds: { harassment: 0.35, 'privacy/sensitive-identifiers': 1 } },
      });
      expect(put.status).toBe(200);
      const body = (await put.json()) as Record<string, Record<string, number>>;
      expect(body.overrides).toEqual({ harassment: 0.35, 'privacy/sensitive-identifiers': 1 });
      expect(body.effective!['privacy/sensitive-identifiers']).toBe(1);
      expect(body.effective!.harassment).toBe(0.35);

      const entries = await server.services.audit.list((await server.services.tenancy.findTenant('default'))!.id, { limit: 1000 });
      const last = entries.filter((e) => e.action === 'moderation.thresholds_replaced').at(-1)!;
      expect(JSON.parse(last.payload)).toEqual({ before: {}, after: { harassment: 0.35, 'privacy/sensitive-identifiers': 1 } });
      expect((await verifyChain(server.store)).ok).toBe(true);

      const replaced = await server.request('/v1/moderation/thresholds', { method: 'PUT', json: { thresholds: { 'privacy/sensitive-identifiers': 0.5 } } });
      expect(((await replaced.json()) as Record<string, unknown>).overrides).toEqual({ 'privacy/sensitive-identifiers': 0.5 });
    });

    it('applies a threshold change and a newly published policy to the next moderation call', async () => {
      const cites = async () => {
        const { results } = (await (await server.request('/v1/moderations', { method: 'POST', json: { input: THREAT }, key: clientKey })).json()) as {
          results: WardenResult[];
        };
        return { version: results[0]!.warden.policy_version, clauses: results[0]!.warden.violations.map((v) => `${v.clause_id}:${v.category}`) };
      };
      expect((await cites()).clauses).toContain('universal.2:violence');
      await server.request('/v1/moderation/thresholds', { method: 'PUT', json: { thresholds: { violence: 1 } } });
      expect((await cites()).clauses).not.toContain('universal.2:violence');
      await server.request('/v1/moderation/thresholds', { method: 'PUT', json: { thresholds: {} } });
      expect((await cites()).clauses).toContain('universal.2:violence');

      const next = structuredClone(bundledPolicies().at(-1)!);
      next.version = 'cache-check-1';
      next.changelog.unshift({ date: '2026-02-01', summary: 'Check that moderation sees a new version at once.' });
      expect((await server.request('/v1/policies', { method: 'POST', json: next })).status).toBe(201);
      expect((await cites()).version).toBe('cache-check-1');
    });

    it('refuses bad thresholds without changing anything', async () => {
      const before = await (await server.request('/v1/moderation/thresholds')).json();
      const badCategory = await expectApiError(
        await server.request('/v1/moderation/thresholds', { method: 'PUT', json: { thresholds: { 'not-a-category': 0.5 } } }),
        400,
      );
      expect(badCategory.param).toMatch(/^thresholds/);
      const zero = await expectApiError(await server.request('/v1/moderation/thresholds', { method: 'PUT', json: { thresholds: { hate: 0 } } }), 400);
      expect(zero.param).toBe('thresholds.hate');
      await expectApiError(await server.request('/v1/moderation/thresholds', { method: 'PUT', json: { thresholds: { hate: 1.5 } } }), 400);
      expect(await (await server.request('/v1/moderation/thresholds')).json()).toEqual(before);
    });

    it('is admin-only to change, and per tenant', async () => {
      await expectApiError(await server.request('/v1/moderation/thresholds', { method: 'PUT', json: { thresholds: {} }, key: clientKey }), 403);
      const otherAdmin = await server.createKey('admin', 'other-tenant');
      const other = (await (await server.request('/v1/moderation/thresholds', { key: otherAdmin })).json()) as Record<string, unknown>;
      expect(other.overrides).toEqual({});
    });
  });
});
