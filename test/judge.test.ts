import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SecretBox, TEMPLATE_VERSION } from '../src/judge/index.ts';
import type { ModerationResult } from '../src/moderation/index.ts';
import { describeEachBackend } from './support/backends.ts';
import { runWarden } from './support/cli.ts';
import { type TestServer, expectApiError, startTestServer } from './support/server.ts';

/** What the fake judge saw of one call. */
interface ChatCall {
  authorization: string | undefined;
  body: { model: string; messages: { role: string; content: string }[]; response_format?: unknown };
  system: string;
  /** The content it was asked to judge. */
  content: string;
}

/** How the fake judge answers one call. */
interface Scripted {
  status?: number;
  /** The assistant message's content (a string the judge "wrote"). */
  content?: string;
  refusal?: string;
  /** A raw HTTP body instead of a chat completion. */
  raw?: string;
  delayMs?: number;
}

/**
 * A fake OpenAI-compatible chat-completions server on loopback: every call is recorded and
 * answered by the test's script (verdicts, malformed JSON, refusals, 429, 500, slow answers).
 */
async function startFakeJudge() {
  const calls: ChatCall[] = [];
  let script: (call: ChatCall) => Scripted = () => ({ content: verdict([]) });
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', async () => {
      if (req.url !== '/v1/chat/completions' || req.method !== 'POST') return res.writeHead(404).end();
      const body = JSON.parse(raw) as ChatCall['body'];
      const user = body.messages.find((m) => m.role === 'user')!.content;
      const call: ChatCall = { authorization: req.headers.authorization, body, system: body.messages.find((m) => m.role === 'system')!.content, content: JSON.parse(user.slice(user.indexOf('\n') + 1)) as string };
      calls.push(call);
      const answer = script(call);
      if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
      if (res.destroyed) return;
      const completion = { id: 'chatcmpl-1', object: 'chat.completion', model: body.model, choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: answer.content ?? null, refusal: answer.refusal ?? null } }] };
      res.writeHead(answer.status ?? 200, { 'content-type': 'application/json' }).end(answer.raw ?? JSON.stringify(answer.status && answer.status >= 400 ? { error: { message: 'scripted failure' } } : completion));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    calls,
    answer(next: (call: ChatCall) => Scripted) {
      script = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A judge's answer in the template's format. */
function verdict(verdicts: { clause_id: string; violated: boolean; confidence: number }[], rationale = 'scripted rationale'): string {
  return JSON.stringify({ verdicts, rationale });
}

type Result = ModerationResult;
const API_KEY = 'sk-judge-secret-0123456789';
const SECRET_KEY = 'test-secret-key-that-is-long-enough-0123';
const HARASSING = 'You are a pathetic worthless idiot and everyone hates you.';
const BENIGN = 'The weather is lovely today and the garden is in bloom.';

describeEachBackend('policy-as-prompt judge', (backend) => {
  let server: TestServer;
  let fake: Awaited<ReturnType<typeof startFakeJudge>>;
  let client: OpenAI;
  const logs: { level: string; fields: object; message: string }[] = [];
  let judgeCount = 0;
  let judgeName = '';

  beforeAll(async () => {
    fake = await startFakeJudge();
    server = await startTestServer(backend, {}, {
      judge: {
        secrets: new SecretBox(SECRET_KEY),
        allowPrivateNetworks: true,
        log: { warn: (fields, message) => logs.push({ level: 'warn', fields, message }), info: (fields, message) => logs.push({ level: 'info', fields, message }) },
      },
    });
    client = new OpenAI({ apiKey: await server.createKey('client'), baseURL: `${server.baseUrl}/v1`, maxRetries: 0 });
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await fake?.close();
  });
  beforeEach(() => {
    fake.calls.length = 0;
    fake.answer(() => ({ content: verdict([]) }));
  });

  /** Replaces the tenant's judge with a fresh one (fresh limits and breaker), judging harassment through universal.3. */
  async function useJudge(settings: Record<string, unknown> = {}) {
    for (const judge of ((await (await server.request('/v1/judges')).json()) as { data: { name: string }[] }).data) {
      await server.request(`/v1/judges/${judge.name}`, { method: 'DELETE' });
    }
    judgeName = `judge-${++judgeCount}`;
    const res = await server.request('/v1/judges', {
      method: 'POST',
      json: { name: judgeName, base_url: fake.baseUrl, model: 'gpt-oss-safeguard-20b', api_key: API_KEY, allow_private_network: true, categories: ['harassment'], timeout_ms: 2000, ...settings },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    return (await res.json()) as { id: string; name: string };
  }

  async function moderate(input: string | string[]): Promise<{ id: string; results: Result[] }> {
    return (await client.moderations.create({ input })) as unknown as { id: string; results: Result[] };
  }

  /** The local model's harassment score for a text. */
  async function localScore(text: string): Promise<number> {
    const tenant = (await server.services.tenancy.findTenant('default'))!;
    const document = (await server.services.policies.current(tenant.id)).document;
    const [result] = server.services.moderation.moderate([[text]], { document, thresholds: server.services.moderation.defaultThresholds, surface: 'api' });
    return result!.category_scores.harassment;
  }

  async function verdictRows(moderationId: string) {
    return server.store.db.selectFrom('judge_verdicts').selectAll().where('moderation_id', '=', moderationId).orderBy('item_index').execute();
  }

  describe('/v1/judges', () => {
    it('stores the API key encrypted, never shows it, and sends it only to the judge', async () => {
      const created = await useJudge();
      const view = (await (await server.request(`/v1/judges/${created.name}`)).json()) as Record<string, unknown>;
      expect(JSON.stringify(view)).not.toContain(API_KEY);
      expect(view).toMatchObject({ object: 'judge', name: created.name, model: 'gpt-oss-safeguard-20b', api_key: { source: 'encrypted', env: null }, template_version: TEMPLATE_VERSION });
      const row = await server.store.db.selectFrom('judges').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();
      expect(row.api_key_ciphertext).toMatch(/^v1\./);
      expect(JSON.stringify(row)).not.toContain(API_KEY);
      const audit = await server.store.db.selectFrom('audit_log').select('payload').where('action', '=', 'judge.created').execute();
      expect(JSON.stringify(audit)).not.toContain(API_KEY);
      await server.request(`/v1/judges/${created.name}`, { method: 'PUT', json: { base_url: fake.baseUrl, model: 'gpt-oss-safeguard-20b', allow_private_network: true, categories: ['harassment'], cascade: { mode: 'always' } } });
      const kept = (await (await server.request(`/v1/judges/${created.name}`)).json()) as { api_key: { source: string }; cascade: { mode: string } };
      expect(kept).toMatchObject({ api_key: { source: 'encrypted' }, cascade: { mode: 'always' } });
      await moderate(HARASSING.replace('idiot', 'fool'));
      expect(fake.calls[0]?.authorization).toBe(`Bearer ${API_KEY}`);
    });

    it('refuses what it cannot use, naming the field, and changes nothing', async () => {
      await useJudge();
      const base = { base_url: fake.baseUrl, model: 'm', allow_private_network: true, enabled: false };
      const tries: [Record<string, unknown>, string][] = [
        [{ ...base, name: 'a', base_url: 'https://127.0.0.1/v1', allow_private_network: false }, 'base_url'],
        [{ ...base, name: 'b', base_url: 'http://example.com/v1', allow_private_network: false }, 'base_url'],
        [{ ...base, name: 'c', clauses: ['no.such.clause'] }, 'clauses[0]'],
        [{ ...base, name: 'd', api_key_env: 'WARDEN_ADMIN_KEY' }, 'api_key_env'],
        [{ ...base, name: 'e', cascade: { band: { low: 0.8, high: 0.2 } } }, 'cascade.band.low'],
        [{ ...base, name: 'f', examples: { 'api.4.1': { violating: ['x'] } }, categories: ['harassment'] }, 'examples.api.4.1'],
      ];
      for (const [body, param] of tries) {
        const error = await expectApiError(await server.request('/v1/judges', { method: 'POST', json: body }), 400);
        expect(error.param, JSON.stringify(error)).toBe(param);
      }
      const second = await server.request('/v1/judges', { method: 'POST', json: { ...base, name: 'second', enabled: true } });
      expect((await expectApiError(second, 409)).param).toBe('enabled');
      const reviewer = await server.createKey('reviewer');
      await expectApiError(await server.request('/v1/judges', { key: reviewer }), 403);
      const names = ((await (await server.request('/v1/judges')).json()) as { data: { name: string }[] }).data.map((j) => j.name);
      expect(names).toEqual([judgeName]);
    });

    it('shows the prompt built from the current policy: clause ids, texts and the examples admins attach', async () => {
      await useJudge({ examples: { 'universal.3': { violating: ['Go away, loser, nobody wants you here.'], non_violating: ['I disagree with your argument.'] } } });
      const prompt = (await (await server.request(`/v1/judges/${judgeName}/prompt`)).json()) as { system: string; clause_ids: string[]; policy_version: string; template_version: string };
      expect(prompt.clause_ids).toEqual(['universal.3']);
      expect(prompt.policy_version).toBe('2024-01-10');
      expect(prompt.template_version).toBe(TEMPLATE_VERSION);
      expect(prompt.system).toContain('## universal.3');
      expect(prompt.system).toContain("Don’t repurpose or distribute output from our services to harm others");
      expect(prompt.system).toContain('"Go away, loser, nobody wants you here."');
      expect(prompt.system).toContain('"I disagree with your argument."');
    });
  });

  describe('the cascade', () => {
    it('asks the judge only inside the uncertainty band, with the policy as the prompt, and serves its verdict', async () => {
      const inBand = await localScore(HARASSING);
      const outside = await localScore(BENIGN);
      expect(Math.abs(inBand - outside)).toBeGreaterThan(0.01);
      await useJudge({ cascade: { mode: 'band', band: { low: Math.max(0, inBand - 0.005), high: Math.min(1, inBand + 0.005) } } });
      fake.answer(() => ({ content: verdict([{ clause_id: 'universal.3', violated: true, confidence: 0.93 }], 'Insults the reader: universal.3 forbids harassing others.') }));
      const response = await moderate([HARASSING, BENIGN]);
      expect(fake.calls).toHaveLength(1);
      const call = fake.calls[0]!;
      expect(call.content).toBe(HARASSING);
      expect(call.body.model).toBe('gpt-oss-safeguard-20b');
      expect(call.body.response_format).toEqual({ type: 'json_object' });
      expect(call.system).toContain('universal.3');
      expect(call.system).toContain('Don’t repurpose or distribute output from our services to harm others');
      const [judged, local] = response.results;
      expect(judged!.warden.decided_by).toBe('judge');
      expect(judged!.flagged).toBe(true);
      expect(judged!.categories.harassment).toBe(true);
      expect(judged!.warden.violations.map((v) => [v.clause_id, v.category])).toContainEqual(['universal.3', 'harassment']);
      expect(judged!.warden.judge).toMatchObject({ name: judgeName, status: 'applied', mode: 'band', policy_version: '2024-01-10', template_version: TEMPLATE_VERSION, violated_clause_ids: ['universal.3'], confidence: { 'universal.3': 0.93 }, rationale: 'Insults the reader: universal.3 forbids harassing others.', cached: false, unsure: false });
      expect(judged!.warden.judge!.latency_ms).toBeGreaterThanOrEqual(0);
      expect(local!.warden.decided_by).toBe('model');
      expect(local!.warden.judge).toBeUndefined();
      const rows = await verdictRows(response.id);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ item_index: 0, status: 'applied', mode: 'band', policy_version: '2024-01-10', template_version: TEMPLATE_VERSION, decided_by: 'judge', judge_clause_ids: '["universal.3"]' });
    });

    it('lets the judge clear what the local model flagged, in the categories it decides', async () => {
      await useJudge({ cascade: { mode: 'always' } });
      fake.answer(() => ({ content: verdict([{ clause_id: 'universal.3', violated: false, confidence: 0.9 }], 'Banter between friends.') }));
      const [result] = (await moderate('You absolute idiot, you forgot the cake again! Love you.')).results;
      expect(result!.warden.decided_by).toBe('judge');
      expect(result!.categories.harassment).toBe(false);
      expect(result!.warden.violations.filter((v) => v.category === 'harassment')).toEqual([]);
    });

    it('degrades to the local verdict, saying why, on malformed answers, refusals, 429s, 500s and timeouts', async () => {
      await useJudge({ cascade: { mode: 'always' }, timeout_ms: 300, breaker: { failures: 100 } });
      const cases: [string, Scripted, string][] = [
        ['not json', { content: 'I think it is fine.' }, 'malformed'],
        ['wrong shape', { content: JSON.stringify({ violated: ['universal.3'] }) }, 'malformed'],
        ['unknown clause', { content: verdict([{ clause_id: 'api.4.1', violated: true, confidence: 1 }]) }, 'malformed'],
        ['not a completion', { raw: '<html>gateway</html>' }, 'malformed'],
        ['refusal', { refusal: 'I cannot help with that.' }, 'refusal'],
        ['rate limited', { status: 429 }, 'rate_limited'],
        ['server error', { status: 500 }, 'server_error'],
        ['slow', { delayMs: 1500, content: verdict([]) }, 'timeout'],
      ];
      for (const [label, scripted, kind] of cases) {
        fake.answer(() => scripted);
        const text = `${HARASSING} (${label})`;
        const response = await moderate(text);
        const result = response.results[0]!;
        const localFlag = (await localScore(text)) >= (server.services.moderation.defaultThresholds.harassment ?? 1);
        expect(result.warden.decided_by, label).not.toBe('judge');
        expect(result.categories.harassment, label).toBe(localFlag);
        expect(result.warden.judge, label).toMatchObject({ status: 'failed', error: { kind } });
        expect(result.warden.warnings.map((w) => w.code), label).toContain('judge_unavailable');
        const [row] = await verdictRows(response.id);
        expect(row, label).toMatchObject({ status: 'failed', error_kind: kind, answer: null });
      }
    });

    it('answers from the cache for the same content, policy version and template version', async () => {
      await useJudge({ cascade: { mode: 'always' } });
      fake.answer(() => ({ content: verdict([{ clause_id: 'universal.3', violated: true, confidence: 0.8 }]) }));
      const text = `${HARASSING} (cached)`;
      const first = (await moderate(text)).results[0]!;
      // Past the retry window, so the second request is a new one (not a retry of the first).
      server.clock.advance(61_000);
      const second = await moderate(text);
      expect(fake.calls).toHaveLength(1);
      expect(first.warden.judge!.cached).toBe(false);
      expect(second.results[0]!.warden.judge).toMatchObject({ status: 'applied', cached: true, violated_clause_ids: ['universal.3'] });
      expect((await verdictRows(second.id))[0]).toMatchObject({ cached: 1 });
      const answers = await server.store.db.selectFrom('judge_answers').selectAll().where('policy_version', '=', '2024-01-10').execute();
      expect(answers.filter((a) => a.template_version === TEMPLATE_VERSION).length).toBeGreaterThan(0);
    });

    it('keeps to the calls-per-minute budget', async () => {
      await useJudge({ cascade: { mode: 'always' }, calls_per_minute: 2 });
      const results = [];
      for (const n of [1, 2, 3]) results.push((await moderate(`${HARASSING} (budget ${n})`)).results[0]!);
      expect(fake.calls).toHaveLength(2);
      expect(results[2]!.warden.judge).toMatchObject({ status: 'failed', error: { kind: 'budget_exhausted' } });
      server.clock.advance(61_000);
      await moderate(`${HARASSING} (budget 4)`);
      expect(fake.calls).toHaveLength(3);
    });

    it('opens the circuit breaker after consecutive failures, logs and counts it, and closes it after the cool-down', async () => {
      await useJudge({ cascade: { mode: 'always' }, breaker: { failures: 2, cooldown_ms: 60_000 } });
      fake.answer(() => ({ status: 500 }));
      const kinds = [];
      for (const n of [1, 2, 3]) kinds.push((await moderate(`${HARASSING} (breaker ${n})`)).results[0]!.warden.judge!.error!.kind);
      expect(kinds).toEqual(['server_error', 'server_error', 'breaker_open']);
      expect(fake.calls).toHaveLength(2);
      expect(logs.find((l) => l.message.includes('breaker opened'))?.fields).toMatchObject({ judge: judgeName, failures: 2 });
      const metrics = await (await server.request('/metrics', { key: null })).text();
      expect(metrics).toMatch(new RegExp(`warden_judge_breaker_opened_total\\{judge="[^"]+/${judgeName}"\\} 1`));
      expect(metrics).toMatch(/warden_judge_calls_total\{outcome="breaker_open"\} \d+/);
      server.clock.advance(61_000);
      fake.answer(() => ({ content: verdict([{ clause_id: 'universal.3', violated: true, confidence: 0.9 }]) }));
      const after = (await moderate(`${HARASSING} (breaker 4)`)).results[0]!;
      expect(after.warden.judge!.status).toBe('applied');
      expect(logs.some((l) => l.message.includes('breaker closed'))).toBe(true);
    });

    it('sends what the judge is unsure about to the review queue with its rationale', async () => {
      await useJudge({ cascade: { mode: 'always', review_below: 0.7 } });
      fake.answer(() => ({ content: verdict([{ clause_id: 'universal.3', violated: true, confidence: 0.55 }], 'Possibly an insult, possibly a quote.') }));
      const response = await moderate(`${HARASSING} (unsure)`);
      expect(response.results[0]!.warden.judge).toMatchObject({ unsure: true });
      const reviewer = await server.createKey('reviewer');
      const queue = (await (await server.request('/v1/review/queue?status=open&limit=200', { key: reviewer })).json()) as { data: { id: string }[] };
      const details = await Promise.all(queue.data.map(async (c) => (await server.request(`/v1/review/cases/${c.id}`, { key: reviewer })).json() as Promise<{ classifier: { judge?: { rationale: string } } | null }>));
      const index = details.findIndex((d) => d.classifier?.judge?.rationale === 'Possibly an insult, possibly a quote.');
      expect(index).toBeGreaterThanOrEqual(0);
      // The reviewer agrees with the judge: /v1/review/metrics counts it.
      const caseId = queue.data[index]!.id;
      expect((await server.request(`/v1/review/cases/${caseId}/claim`, { method: 'POST', key: reviewer })).status).toBe(200);
      const decided = await server.request(`/v1/review/cases/${caseId}/decision`, { method: 'POST', key: reviewer, json: { outcome: 'violation', clause_ids: ['universal.3'] } });
      expect(decided.status, await decided.clone().text()).toBe(201);
      const metrics = (await (await server.request('/v1/review/metrics', { key: reviewer })).json()) as { judge_agreement: { n: number; agreed: number; rate: number } };
      expect(metrics.judge_agreement).toEqual({ n: 1, agreed: 1, rate: 1 });
    });

    it('in shadow mode serves the local verdict, and stores and compares the judge\'s', async () => {
      await useJudge({ cascade: { mode: 'shadow' } });
      fake.answer(() => ({ content: verdict([{ clause_id: 'universal.3', violated: true, confidence: 0.9 }], 'Shadow says harassment.') }));
      const text = `${HARASSING} (shadow)`;
      const response = await moderate(text);
      const served = response.results[0]!;
      expect(served.warden.decided_by).not.toBe('judge');
      expect(served.warden.judge).toBeUndefined();
      expect(fake.calls).toHaveLength(0);
      expect(await server.services.judgeWorker.runOnce()).toBe(1);
      expect(fake.calls).toHaveLength(1);
      const [row] = await verdictRows(response.id);
      const localIds = served.warden.violations.filter((v) => v.clause_id === 'universal.3').map((v) => v.clause_id);
      expect(row).toMatchObject({ status: 'shadow', mode: 'shadow', judge_clause_ids: '["universal.3"]', local_clause_ids: JSON.stringify([...new Set(localIds)]), agreed: localIds.length ? 1 : 0 });
      expect(JSON.parse(row!.result)).toEqual(served);
      expect(await server.store.db.selectFrom('judge_jobs').selectAll().execute()).toEqual([]);
      const stats = (await (await server.request(`/v1/judges/${judgeName}/stats?from=2020-01-01T00:00:00Z&to=2100-01-01T00:00:00Z`)).json()) as { by_mode: Record<string, number>; agreement_with_local: { shadow: { n: number } } };
      expect(stats.by_mode).toEqual({ shadow: 1 });
      expect(stats.agreement_with_local.shadow.n).toBe(1);
    });

    it('in non-blocking mode answers at once and delivers the judge\'s verdict later (moderation.judged, GET /v1/moderations/{id})', async () => {
      await useJudge({ cascade: { mode: 'always', non_blocking: true } });
      fake.answer(() => ({ content: verdict([{ clause_id: 'universal.3', violated: true, confidence: 0.95 }], 'Later: harassment.') }));
      const response = await moderate(`${HARASSING} (async)`);
      expect(response.results[0]!.warden.judge).toMatchObject({ status: 'pending' });
      expect(fake.calls).toHaveLength(0);
      const pendingView = (await (await server.request(`/v1/moderations/${response.id}`)).json()) as { status: string };
      expect(pendingView.status).toBe('pending');
      await server.services.judgeWorker.runOnce();
      const done = (await (await server.request(`/v1/moderations/${response.id}`)).json()) as { status: string; results: { decided_by: string; result: Result }[] };
      expect(done.status).toBe('complete');
      expect(done.results[0]!.decided_by).toBe('judge');
      expect(done.results[0]!.result.warden.judge).toMatchObject({ status: 'applied', rationale: 'Later: harassment.' });
      const events = await server.store.db.selectFrom('outbox').selectAll().where('type', '=', 'moderation.judged').execute();
      const event = events.map((e) => JSON.parse(e.payload) as { moderation_id: string; result: Result }).find((p) => p.moderation_id === response.id);
      expect(event?.result.warden.decided_by).toBe('judge');
      const other = await server.createKey('client', 'other-tenant');
      await expectApiError(await server.request(`/v1/moderations/${response.id}`, { key: other }), 404);
    });

    it('warden eval --judge reports local alone, judge alone and the cascade', async () => {
      const inBand = await localScore(HARASSING);
      await useJudge({ cascade: { mode: 'band', band: { low: Math.max(0, inBand - 0.005), high: Math.min(1, inBand + 0.005) } }, concurrency: 2 });
      // A scripted judge that is right about every item: it finds universal.3 violated exactly when the text insults.
      fake.answer((call) => ({ content: verdict([{ clause_id: 'universal.3', violated: /idiot|moron/.test(call.content), confidence: 0.9 }]) }));
      const items = [
        { id: '1', text: HARASSING, flagged: true },
        { id: '2', text: 'Only a moron would write code like this, you moron.', flagged: true },
        { id: '3', text: BENIGN, flagged: false },
        { id: '4', text: 'Thanks for the help with my homework yesterday!', flagged: false },
      ];
      const dir = mkdtempSync(join(tmpdir(), 'warden-eval-'));
      try {
        const file = join(dir, 'items.jsonl');
        writeFileSync(file, items.map((item) => JSON.stringify({ ...item, labels: { harassment: item.flagged } })).join('\n'));
        const run = await runWarden(['eval', '--data', file, '--judge', judgeName, '--json', '--db', server.database.url], { env: { WARDEN_SECRET_KEY: SECRET_KEY, WARDEN_JUDGE_ALLOW_PRIVATE: '1' } });
        expect(run.code, run.stderr).toBe(0);
        const report = JSON.parse(run.stdout) as { n: number; judge_alone: { precision: number; recall: number; f1: number; failures: number }; cascade: { sent_to_judge: number; share_sent_to_judge: number }; judge_calls: { calls: number; cached: number; latency_ms: { p50: number | null } }; template_version: string; policy_version: string; local: { f1: number } };
        expect(report).toMatchObject({ n: 4, policy_version: '2024-01-10', template_version: TEMPLATE_VERSION, judge_alone: { precision: 1, recall: 1, f1: 1, failures: 0 } });
        expect(report.judge_calls.calls + report.judge_calls.cached).toBe(4);
        expect(report.cascade.sent_to_judge).toBe(1);
        expect(report.cascade.share_sent_to_judge).toBe(0.25);
        expect(fake.calls.length).toBe(report.judge_calls.calls);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 60_000);

    it('costs a tenant without a judge nothing: no call, no record', async () => {
      for (const judge of ((await (await server.request('/v1/judges')).json()) as { data: { name: string }[] }).data) await server.request(`/v1/judges/${judge.name}`, { method: 'DELETE' });
      const response = await moderate(HARASSING);
      expect(fake.calls).toHaveLength(0);
      expect(response.results[0]!.warden.judge).toBeUndefined();
      expect(await verdictRows(response.id)).toEqual([]);
    });
  });
});
