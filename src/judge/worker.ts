import { BackgroundLoop, type Category, type Clock, Hooks, highestScore } from '../common/index.ts';
import { type Store, type Tx, withTransaction } from '../db/index.ts';
import type { CategoryScores } from '../detect/index.ts';
import type { FollowUp, ModerationResult } from '../moderation/index.ts';
import { enqueueEvent } from '../notify/index.ts';
import type { PolicyDocument } from '../policy/index.ts';
import type { JudgeCascade, Judgement } from './cascade.ts';
import type { FailureKind } from './client.ts';
import type { StoredJudge } from './registry.ts';

/** Attempts at a background judgement before the local verdict is final. */
export const MAX_JOB_ATTEMPTS = 4;
/** First retry delay; each later one is four times longer. */
const RETRY_BASE_MS = 5_000;
/** A claimed job not finished within this is claimed again (its process died). */
const LEASE_MS = 5 * 60_000;
/** Failures that another try cannot mend. */
const FINAL_FAILURES: ReadonlySet<FailureKind> = new Set(['malformed', 'refusal', 'missing_api_key', 'refused_address']);

export interface JudgeWorkerSources {
  /** The tenant's policy as of a version (the one the verdict used). */
  policy(tenantId: string, version: string): Promise<PolicyDocument>;
  thresholds(tenantId: string): Promise<CategoryScores>;
  judge(tenantId: string, id: string): Promise<StoredJudge | null>;
}

/**
 * Judges in the background what the request path queued: shadow judgements (stored and compared,
 * never served) and non-blocking ones (the local verdict was served; the judge's is recorded,
 * announced as `moderation.judged` through the outbox and readable at GET /v1/moderations/{id}).
 * Jobs are leased, so several processes share the queue; a job's text is deleted with it.
 */
export class JudgeWorker {
  /** Told, in the judgement's transaction, of a delivered verdict the judge is unsure of (review files a case). */
  readonly unsure = new Hooks<[tx: Tx, followUp: FollowUp]>();
  private readonly loop: BackgroundLoop;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly cascade: JudgeCascade,
    private readonly sources: JudgeWorkerSources,
    private readonly batchSize = 16,
    pollMs = 1_000,
  ) {
    this.loop = new BackgroundLoop('judge worker', () => this.runOnce(), pollMs);
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One pass: claims due jobs and judges them (in parallel, within each judge's limits); returns how many were handled. */
  async runOnce(): Promise<number> {
    const now = this.clock.now();
    const due = await this.store.db
      .selectFrom('judge_jobs')
      .selectAll()
      .where('next_attempt_at', '<=', now.toISOString())
      .where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<', now.toISOString())]))
      .orderBy('next_attempt_at')
      .limit(this.batchSize)
      .execute();
    const lease = new Date(now.getTime() + LEASE_MS).toISOString();
    const claimed = [];
    for (const job of due) {
      let taken = this.store.db.updateTable('judge_jobs').set({ lease_expires_at: lease }).where('id', '=', job.id);
      taken = job.lease_expires_at === null ? taken.where('lease_expires_at', 'is', null) : taken.where('lease_expires_at', '=', job.lease_expires_at);
      if ((await taken.executeTakeFirst()).numUpdatedRows > 0n) claimed.push(job);
    }
    await Promise.all(claimed.map((job) => this.handle(job)));
    return claimed.length;
  }

  private async handle(job: { id: string; tenant_id: string; verdict_id: string; text: string; attempts: number }): Promise<void> {
    const verdict = await this.store.db.selectFrom('judge_verdicts').selectAll().where('id', '=', job.verdict_id).where('tenant_id', '=', job.tenant_id).executeTakeFirst();
    const judge = verdict && (await this.sources.judge(job.tenant_id, verdict.judge_id));
    if (!verdict || !judge) {
      // The judge was deleted meanwhile: the local verdict stands, and the record says so.
      await withTransaction(this.store, async (tx) => {
        await tx.deleteFrom('judge_jobs').where('id', '=', job.id).execute();
        if (verdict) await this.finish(tx, verdict, { status: 'failed', error_kind: 'judge_deleted', error: 'the judge was deleted before it judged this item' }, null);
      });
      return;
    }
    const document = await this.sources.policy(job.tenant_id, verdict.policy_version);
    const prompt = this.cascade.promptFor(judge, document);
    const judgement = await this.cascade.judge(judge, prompt, job.text);
    const attempts = job.attempts + 1;
    if (!judgement.ok && !FINAL_FAILURES.has(judgement.kind) && attempts < MAX_JOB_ATTEMPTS) {
      const next = new Date(this.clock.now().getTime() + RETRY_BASE_MS * 4 ** job.attempts).toISOString();
      await this.store.db.updateTable('judge_jobs').set({ attempts, next_attempt_at: next, lease_expires_at: null }).where('id', '=', job.id).execute();
      return;
    }
    const local = JSON.parse(verdict.result) as ModerationResult;
    const categories = JSON.parse(verdict.categories) as Category[];
    const shadow = verdict.mode === 'shadow';
    const mode = verdict.mode === 'always' ? 'always' : 'band';
    const thresholds = await this.sources.thresholds(job.tenant_id);
    const decision = this.cascade.decide(judge, categories, mode, withoutPending(local), judgement, document, thresholds);
    const row = this.cascade.verdictRow({
      tenantId: job.tenant_id,
      moderationId: verdict.moderation_id,
      index: verdict.item_index,
      judge,
      prompt,
      digest: verdict.content_digest,
      local: withoutPending(local),
      mode: verdict.mode,
      categories,
      status: shadow ? (judgement.ok ? 'shadow' : 'failed') : decision.status,
      served: shadow ? local : decision.result,
      judgement,
    });
    await withTransaction(this.store, async (tx) => {
      await tx.deleteFrom('judge_jobs').where('id', '=', job.id).execute();
      const { id: _id, moderation_id: _m, item_index: _i, created_at: _c, ...fields } = row;
      await this.finish(tx, verdict, fields, shadow ? null : { judgement, result: decision.result, document, text: job.text, note: decision.note });
      if (judgement.ok && !judgement.cached) await this.cascade.storeAnswer(tx, judge, prompt, verdict.content_digest, JSON.stringify(judgement.answer), judgement.latencyMs);
    });
  }

  /** Updates the verdict; a non-blocking one is announced, and sent to review when the judge is unsure. */
  private async finish(
    tx: Tx,
    verdict: { id: string; tenant_id: string; moderation_id: string; item_index: number; result: string; content_digest: string; policy_version: string },
    fields: Record<string, unknown>,
    delivered: { judgement: Judgement; result: ModerationResult; document: PolicyDocument; text: string; note: ReturnType<JudgeCascade['decide']>['note'] } | null,
  ): Promise<void> {
    await tx.updateTable('judge_verdicts').set({ ...fields, judged_at: this.clock.now().toISOString() }).where('id', '=', verdict.id).execute();
    if (!delivered) return;
    await enqueueEvent(tx, {
      tenantId: verdict.tenant_id,
      type: 'moderation.judged',
      at: this.clock.now(),
      payload: { moderation_id: verdict.moderation_id, index: verdict.item_index, content_digest: verdict.content_digest, result: delivered.result },
    });
    if (delivered.note?.unsure) {
      const result = delivered.result;
      const scores = { ...result.category_scores, ...result.warden.category_scores } as Record<string, number>;
      await this.unsure.run(tx, {
        tenantId: verdict.tenant_id,
        actor: 'system:judge',
        account: null,
        moderationId: verdict.moderation_id,
        surface: 'api',
        policy: { version: delivered.document.version, document: delivered.document },
        results: [
          {
            index: verdict.item_index,
            digest: verdict.content_digest,
            text: delivered.text,
            violations: result.warden.violations,
            categoryScores: scores,
            topScore: highestScore(scores),
            judge: delivered.note,
            rules: null,
          },
        ],
      });
    }
  }
}

/** The local result as it was before `pending` marked it. */
function withoutPending(result: ModerationResult): ModerationResult {
  if (result.warden.judge?.status !== 'pending') return result;
  const { judge: _judge, ...warden } = result.warden;
  return { ...result, warden };
}
