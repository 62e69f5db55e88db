import { Counter, Gauge, Histogram, type Metric } from 'prom-client';
import { type Category, type Clock, newId, sha256Hex } from '../common/index.ts';
import type { JudgeVerdictsTable, Store, Tx } from '../db/index.ts';
import type { Cascade, CascadeCall, CascadeOutcome, JudgeNote, ModerationResult } from '../moderation/index.ts';
import type { PolicyDocument } from '../policy/index.ts';
import { type FailureKind, type JudgeCall, askJudge } from './client.ts';
import { JudgeGate } from './gate.ts';
import type { StoredJudge } from './registry.ts';
import type { JudgeRegistry } from './registry.ts';
import { type JudgeAnswer, type Prompt, TEMPLATE_VERSION, buildPrompt } from './template.ts';
import { type Route, applyAnswer, clauseIdsOf, clausesFor, degraded, isUnsure, pending, routeOf, violatedClauses } from './verdict.ts';

/** Where the breaker's opening and closing are logged. */
export interface JudgeLogger {
  warn(fields: object, message: string): void;
  info(fields: object, message: string): void;
}

/** A judge's answer (from the endpoint or the cache), or why there is none. */
export type Judgement = ({ ok: true; answer: JudgeAnswer; latencyMs: number; cached: boolean } | { ok: false; kind: FailureKind; message: string; latencyMs: number | null }) & { prompt: Prompt };

/** Cached answers kept in memory per process, in front of the `judge_answers` table. */
const MEMORY_CACHE_ENTRIES = 10_000;

type VerdictRow = JudgeVerdictsTable;

/**
 * The cascade's judge stage: for a tenant with an enabled judge, the results whose categories
 * call for it (by mode and uncertainty band) are sent to the judge with the tenant's policy as
 * the prompt; valid answers decide those categories, anything else leaves the local verdict
 * standing, saying why. Every judged verdict is recorded (in the request's own transaction);
 * answers are cached by content digest and prompt (policy version, template version, clauses,
 * examples, model). A tenant without a judge costs one cached look-up.
 */
export class JudgeCascade implements Cascade {
  private readonly gates = new Map<string, { key: string; gate: JudgeGate }>();
  private readonly prompts = new Map<string, Prompt>();
  private readonly answers = new Map<string, JudgeAnswer>();
  private readonly calls: Counter<'outcome'>;
  private readonly latency: Histogram;
  private readonly breakerOpens: Counter<'judge'>;
  private readonly breakerState: Gauge<'judge'>;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    readonly registry: JudgeRegistry,
    private readonly log: JudgeLogger,
  ) {
    // Registered by whoever serves /metrics (the server), not in prom-client's global registry.
    const registers: never[] = [];
    this.calls = new Counter({ name: 'warden_judge_calls_total', help: 'Judge calls by outcome (ok, cached, or the failure kind).', labelNames: ['outcome'] as const, registers });
    this.latency = new Histogram({ name: 'warden_judge_latency_seconds', help: 'Latency of answered judge calls.', buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30], registers });
    this.breakerOpens = new Counter({ name: 'warden_judge_breaker_opened_total', help: 'Times a judge circuit breaker opened.', labelNames: ['judge'] as const, registers });
    this.breakerState = new Gauge({ name: 'warden_judge_breaker_open', help: '1 while the judge circuit breaker is open.', labelNames: ['judge'] as const, registers });
  }

  /** The judge's Prometheus metrics: calls by outcome, latency, breaker openings and state. */
  get metrics(): Metric[] {
    return [this.calls, this.latency, this.breakerOpens, this.breakerState];
  }

  apply(call: CascadeCall): Promise<CascadeOutcome | null> | null {
    const loaded = this.registry.loadedEnabled(call.tenantId);
    // A tenant without a judge (known from memory) goes on at once, without a promise.
    if (loaded === null) return null;
    return this.applyWith(call, loaded ?? this.registry.enabled(call.tenantId));
  }

  private async applyWith(call: CascadeCall, loading: StoredJudge | Promise<StoredJudge | null>): Promise<CascadeOutcome | null> {
    const judge = await loading;
    if (!judge) return null;
    const prompt = this.promptFor(judge, call.document);
    const routes = call.results.map((result) => routeOf(judge.settings, result, prompt.clauses));
    if (routes.every((r) => r.decisive.length === 0 && r.shadow.length === 0)) return null;
    const rows: VerdictRow[] = [];
    const jobs: { verdictId: string; text: string }[] = [];
    const notes: (JudgeNote | null)[] = call.results.map(() => null);
    const results = await Promise.all(
      call.results.map(async (result, index) => {
        const route = routes[index]!;
        if (route.decisive.length === 0 && route.shadow.length === 0) return result;
        const text = call.items[index]!.join('\n');
        const base = { tenantId: call.tenantId, moderationId: call.moderationId, index, judge, prompt, digest: sha256Hex(text), local: result };
        if (route.decisive.length === 0 || judge.settings.cascade.non_blocking) {
          const mode = route.decisive.length === 0 ? 'shadow' : modeName(judge, route);
          const categories = route.decisive.length === 0 ? route.shadow : route.decisive;
          const served = mode === 'shadow' ? result : pending(result, judge.name, mode, categories, this.versions(prompt));
          const row = this.verdictRow({ ...base, mode, categories, status: 'pending', served, judgement: null });
          rows.push(row);
          jobs.push({ verdictId: row.id, text });
          return served;
        }
        const judgement = await this.judge(judge, prompt, text);
        const outcome = this.decide(judge, route.decisive, modeName(judge, route), result, judgement, call.document, call.thresholds);
        rows.push(this.verdictRow({ ...base, mode: modeName(judge, route), categories: route.decisive, status: outcome.status, served: outcome.result, judgement }));
        notes[index] = outcome.note;
        return outcome.result;
      }),
    );
    return { results, notes, write: (tx) => this.record(tx, rows, judge, prompt, jobs) };
  }

  /** The judge's answer about one text: from the cache, else from the endpoint within the judge's limits. */
  async judge(judge: StoredJudge, prompt: Prompt, text: string): Promise<Judgement> {
    const digest = sha256Hex(text);
    const cached = await this.cachedAnswer(judge, prompt, digest);
    if (cached) {
      this.calls.inc({ outcome: 'cached' });
      return { ok: true, answer: cached, latencyMs: 0, cached: true, prompt };
    }
    const gate = this.gateFor(judge);
    const admission = await gate.admit();
    if (!admission.ok) {
      this.calls.inc({ outcome: admission.kind });
      return { ...admission, latencyMs: null, prompt };
    }
    let result: JudgeCall;
    try {
      const key = judge.apiKey();
      if (!key.ok) result = { ok: false, kind: 'missing_api_key', message: key.message, latencyMs: null };
      else result = await askJudge(this.endpoint(judge, key.key), prompt, text);
    } finally {
      admission.release();
    }
    gate.record(result.ok ? null : result);
    this.calls.inc({ outcome: result.ok ? 'ok' : result.kind });
    if (!result.ok) return { ...result, prompt };
    this.latency.observe(result.latencyMs / 1000);
    this.remember(judge, prompt, digest, result.answer);
    return { ok: true, answer: result.answer, latencyMs: result.latencyMs, cached: false, prompt };
  }

  /** The prompt for a judge and policy version (built once per edit of either). */
  promptFor(judge: StoredJudge, document: PolicyDocument): Prompt {
    const key = `${judge.id}\n${judge.updatedAt}\n${document.version}`;
    let prompt = this.prompts.get(key);
    if (!prompt) {
      prompt = buildPrompt(document, judge.settings);
      if (this.prompts.size > 1000) this.prompts.clear();
      this.prompts.set(key, prompt);
    }
    return prompt;
  }

  /** What serving a judgement means for one result. */
  decide(judge: StoredJudge, decisive: Category[], mode: 'band' | 'always', result: ModerationResult, judgement: Judgement, document: PolicyDocument, thresholds: CascadeCall['thresholds']) {
    const versions = this.versions(judgement.prompt);
    const scope = clausesFor(judgement.prompt.clauses, decisive);
    if (!judgement.ok) {
      return { status: 'failed' as const, result: degraded(result, judge.name, mode, decisive, judgement, versions), note: null };
    }
    const unsure = isUnsure(judgement.answer, scope, judge.settings.cascade.review_below);
    const served = applyAnswer(result, { judge: judge.name, mode, categories: decisive, answer: judgement.answer, latencyMs: judgement.latencyMs, cached: judgement.cached, unsure, ...versions }, scope, document, thresholds);
    const note: JudgeNote = { judge: judge.name, unsure, rationale: judgement.answer.rationale, clauseIds: violatedClauses(judgement.answer, scope), categories: decisive };
    return { status: 'applied' as const, result: served, note };
  }

  private versions(prompt: Prompt) {
    return { policyVersion: prompt.policyVersion, templateVersion: TEMPLATE_VERSION };
  }

  /** A verdict row for one result (written with the request's side effects). */
  verdictRow(input: {
    tenantId: string;
    moderationId: string;
    index: number;
    judge: StoredJudge;
    prompt: Prompt;
    digest: string;
    local: ModerationResult;
    mode: string;
    categories: Category[];
    status: 'applied' | 'failed' | 'pending' | 'shadow';
    served: ModerationResult;
    judgement: Judgement | null;
  }): VerdictRow {
    const { judgement, prompt } = input;
    const scope = clausesFor(prompt.clauses, input.categories);
    const localIds = clauseIdsOf(input.local, scope);
    const judgeIds = judgement?.ok ? violatedClauses(judgement.answer, scope).sort() : null;
    const now = this.clock.now().toISOString();
    return {
      id: newId('jvd'),
      tenant_id: input.tenantId,
      moderation_id: input.moderationId,
      item_index: input.index,
      judge_id: input.judge.id,
      judge_name: input.judge.name,
      mode: input.mode,
      status: input.status,
      cached: judgement?.ok && judgement.cached ? 1 : 0,
      content_digest: input.digest,
      policy_version: prompt.policyVersion,
      template_version: TEMPLATE_VERSION,
      categories: JSON.stringify(input.categories),
      local_clause_ids: JSON.stringify(localIds),
      judge_clause_ids: judgeIds && JSON.stringify(judgeIds),
      agreed: judgeIds ? (JSON.stringify(judgeIds) === JSON.stringify(localIds) ? 1 : 0) : null,
      unsure: judgement?.ok && isUnsure(judgement.answer, scope, input.judge.settings.cascade.review_below) ? 1 : 0,
      decided_by: input.served.warden.decided_by,
      answer: judgement?.ok ? JSON.stringify(judgement.answer) : null,
      error_kind: judgement && !judgement.ok ? judgement.kind : null,
      error: judgement && !judgement.ok ? judgement.message : null,
      latency_ms: judgement ? judgement.latencyMs : null,
      result: JSON.stringify(input.served),
      created_at: now,
      judged_at: judgement ? now : null,
    };
  }

  /** Writes the verdicts, the new answers into the cache table, and the background jobs. */
  private async record(tx: Tx, rows: VerdictRow[], judge: StoredJudge, prompt: Prompt, jobs: { verdictId: string; text: string }[]): Promise<void> {
    if (rows.length) await tx.insertInto('judge_verdicts').values(rows).execute();
    for (const row of rows) {
      if (row.answer && !row.cached) await this.storeAnswer(tx, judge, prompt, row.content_digest, row.answer, row.latency_ms ?? 0);
    }
    if (jobs.length) {
      const at = this.clock.now().toISOString();
      await tx
        .insertInto('judge_jobs')
        .values(jobs.map((job) => ({ id: newId('jjb'), tenant_id: judge.tenantId, verdict_id: job.verdictId, text: job.text, attempts: 0, next_attempt_at: at, lease_expires_at: null, created_at: at })))
        .execute();
    }
  }

  async storeAnswer(tx: Tx, judge: StoredJudge, prompt: Prompt, digest: string, answer: string, latencyMs: number): Promise<void> {
    await tx
      .insertInto('judge_answers')
      .values({
        tenant_id: judge.tenantId,
        judge_id: judge.id,
        content_digest: digest,
        prompt_digest: prompt.digest,
        policy_version: prompt.policyVersion,
        template_version: TEMPLATE_VERSION,
        answer,
        latency_ms: latencyMs,
        created_at: this.clock.now().toISOString(),
      })
      .onConflict((oc) => oc.columns(['tenant_id', 'judge_id', 'content_digest', 'prompt_digest']).doNothing())
      .execute();
  }

  private async cachedAnswer(judge: StoredJudge, prompt: Prompt, digest: string): Promise<JudgeAnswer | null> {
    const key = `${judge.id}\n${prompt.digest}\n${digest}`;
    const remembered = this.answers.get(key);
    if (remembered) return remembered;
    const row = await this.store.db
      .selectFrom('judge_answers')
      .select('answer')
      .where('tenant_id', '=', judge.tenantId)
      .where('judge_id', '=', judge.id)
      .where('content_digest', '=', digest)
      .where('prompt_digest', '=', prompt.digest)
      .executeTakeFirst();
    if (!row) return null;
    const answer = JSON.parse(row.answer) as JudgeAnswer;
    this.remember(judge, prompt, digest, answer);
    return answer;
  }

  private remember(judge: StoredJudge, prompt: Prompt, digest: string, answer: JudgeAnswer): void {
    if (this.answers.size >= MEMORY_CACHE_ENTRIES) this.answers.delete(this.answers.keys().next().value!);
    this.answers.set(`${judge.id}\n${prompt.digest}\n${digest}`, answer);
  }

  private gateFor(judge: StoredJudge): JudgeGate {
    const s = judge.settings;
    const limits = { concurrency: s.concurrency, callsPerMinute: s.calls_per_minute, waitMs: s.timeout_ms, breakerFailures: s.breaker.failures, cooldownMs: s.breaker.cooldown_ms };
    const entry = this.gates.get(judge.id);
    if (entry) {
      if (entry.key !== judge.updatedAt) {
        entry.gate.limits = limits;
        entry.key = judge.updatedAt;
      }
      return entry.gate;
    }
    const labels = { judge: `${judge.tenantId}/${judge.name}` };
    const gate = new JudgeGate(limits, this.clock, {
      breakerOpened: (failures, cooldownMs, lastError) => {
        this.breakerOpens.inc(labels);
        this.breakerState.set(labels, 1);
        this.log.warn({ tenant: judge.tenantId, judge: judge.name, failures, cooldown_ms: cooldownMs, last_error: lastError }, 'judge circuit breaker opened: serving local verdicts');
      },
      breakerClosed: () => {
        this.breakerState.set(labels, 0);
        this.log.info({ tenant: judge.tenantId, judge: judge.name }, 'judge circuit breaker closed');
      },
    });
    this.gates.set(judge.id, { key: judge.updatedAt, gate });
    return gate;
  }

  private endpoint(judge: StoredJudge, apiKey: string | null) {
    const s = judge.settings;
    return {
      baseUrl: s.base_url,
      apiKey,
      model: s.model,
      timeoutMs: s.timeout_ms,
      maxTokens: s.max_tokens,
      jsonMode: s.json_mode,
      allowPrivateNetworks: s.allow_private_network && this.registry.options.allowPrivateNetworks,
    };
  }
}

/** `always` when any decisive category is judged always, else `band`. */
function modeName(judge: StoredJudge, route: Route): 'band' | 'always' {
  return route.decisive.some((c) => (judge.settings.cascade.categories[c] ?? judge.settings.cascade.mode) === 'always') ? 'always' : 'band';
}
