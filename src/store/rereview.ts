import { setTimeout as sleep } from 'node:timers/promises';
import type { AuditLog } from '../audit/index.ts';
import { BackgroundLoop, type Clock, Hooks, NotFound, type PageRequest, type Sequenced, newId } from '../common/index.ts';
import { type Store, type StoreReviewJobRow, type Tx, afterKey } from '../db/index.ts';
import type { BankChange } from '../images/index.ts';
import type { PolicyDocument, PolicyPublishedHook, PolicyRegistry } from '../policy/index.ts';
import { type SubmissionFields, type TextDetector, evaluateSubmission } from './evaluate.ts';
import type { SubmissionNeedingReview } from './human-review.ts';
import { type StoredImageMatcher, type SubmissionImage, storedImageFindings, withImageReasons } from './images.ts';
import { changeDecision } from './submissions.ts';

export type JobStatus = 'pending' | 'running' | 'completed' | 'superseded';

export interface ReReviewOptions {
  /** Most submissions re-reviewed per second, so a large store never starves the database. */
  itemsPerSecond: number;
  /** Pause between passes of the background loop when there is nothing to do. */
  pollIntervalMs: number;
}

export const DEFAULT_RE_REVIEW_OPTIONS: ReReviewOptions = { itemsPerSecond: 20, pollIntervalMs: 1_000 };

export interface ReReviewJobView {
  object: 'store.review_job';
  id: string;
  policy_version: string;
  status: JobStatus;
  total: number;
  processed: number;
  changed: number;
  /** processed / total, 1 when there was nothing to do. */
  progress: number;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

export interface ReReviewStats {
  jobs: Record<JobStatus, number>;
  processed: number;
  remaining: number;
  changed: number;
}

const ACTOR = 'system:store-re-review';

/**
 * Re-reviews every approved app when a tenant publishes a policy version. Publication schedules
 * a job in its own transaction; this runner works through the job one submission at a time,
 * and each submission's new decision, the job's cursor and its counts commit together, so a
 * crash loses nothing and repeats nothing: the next runner resumes after the cursor.
 */
export class ReReviewJobs {
  private readonly options: ReReviewOptions;
  private readonly loop: BackgroundLoop;
  /** Where re-reviewed submissions now decided `needs_review` go (see NeedsReviewHooks). */
  readonly needsReview = new Hooks<[tx: Tx, submission: SubmissionNeedingReview]>();

  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly policies: PolicyRegistry,
    private readonly detector: TextDetector,
    options: Partial<ReReviewOptions> = {},
    /** Matches kept image hashes against the banks; without it, re-review judges a listing's text only. */
    private readonly images?: StoredImageMatcher,
  ) {
    this.options = { ...DEFAULT_RE_REVIEW_OPTIONS, ...options };
    this.loop = new BackgroundLoop('store re-review', () => this.runOnce(this.options.itemsPerSecond), this.options.pollIntervalMs);
  }

  /** The publication hook: schedules the job in the transaction that publishes the version. */
  readonly schedule: PolicyPublishedHook = async (tx, { tenantId, document, actor }) => {
    await this.scheduleJob(tx, tenantId, document.version, actor, { trigger: 'policy_published' });
  };

  /**
   * The hash-bank hook: a bank that gained hashes (or was enabled, or had its threshold changed) may now match an
   * approved listing's images, so every approved listing is re-checked against its kept hashes. A tenant has one
   * job per policy version: when the version's job exists (finished or not), it starts over from the first
   * approved listing, its earlier run's counts left in the audit log.
   */
  readonly scheduleForBankChange = async (tx: Tx, change: BankChange): Promise<void> => {
    const why = { trigger: 'hash_bank_changed', bank_id: change.bankId };
    const existing = await tx
      .selectFrom('store_review_jobs')
      .selectAll()
      .where('tenant_id', '=', change.tenantId)
      .where('policy_version', '=', change.policyVersion)
      .executeTakeFirst();
    if (!existing) return this.scheduleJob(tx, change.tenantId, change.policyVersion, change.actor, why);
    await this.finishIn(tx, existing, 'superseded');
    const { total, lastSeq } = await this.scope(tx, change.tenantId);
    await tx
      .updateTable('store_review_jobs')
      .set({ status: 'pending', total, processed: 0, changed: 0, cursor: 0, last_submission_seq: lastSeq, updated_at: this.clock.now().toISOString(), finished_at: null })
      .where('id', '=', existing.id)
      .execute();
    await this.audit.append(tx, { tenantId: change.tenantId, actor: change.actor, action: 'store.re_review_scheduled', target: existing.id, payload: { policy_version: change.policyVersion, total, ...why } });
  };

  /** How many approved listings a job starting now re-reviews, and the last submission it may reach. */
  private async scope(tx: Tx, tenantId: string): Promise<{ total: number; lastSeq: number }> {
    const approved = await tx
      .selectFrom('store_submissions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('tenant_id', '=', tenantId)
      .where('latest', '=', 1)
      .where('status', '=', 'approved')
      .executeTakeFirstOrThrow();
    const lastSeq = await tx.selectFrom('store_submissions').select((eb) => eb.fn.max('seq').as('max_seq')).executeTakeFirstOrThrow();
    return { total: Number(approved.n), lastSeq: Number(lastSeq.max_seq ?? 0) };
  }

  private async scheduleJob(tx: Tx, tenantId: string, policyVersion: string, actor: string, why: Record<string, string>): Promise<void> {
    const { total, lastSeq } = await this.scope(tx, tenantId);
    const now = this.clock.now().toISOString();
    const id = newId('rrj');
    await tx
      .insertInto('store_review_jobs')
      .values({
        id,
        tenant_id: tenantId,
        policy_version: policyVersion,
        status: 'pending',
        total,
        processed: 0,
        changed: 0,
        cursor: 0,
        last_submission_seq: lastSeq,
        created_at: now,
        updated_at: now,
        finished_at: null,
      })
      .execute();
    await this.audit.append(tx, { tenantId, actor, action: 'store.re_review_scheduled', target: id, payload: { policy_version: policyVersion, total, ...why } });
  }


  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }

  /**
   * Works on the oldest unfinished job for up to `maxItems` submissions (throttled). Returns how
   * many it re-reviewed; 0 means every job is finished.
   */
  async runOnce(maxItems = Number.POSITIVE_INFINITY): Promise<number> {
    let done = 0;
    while (done < maxItems) {
      const job = await this.store.db.selectFrom('store_review_jobs').selectAll().where('status', 'in', ['pending', 'running']).orderBy('seq').limit(1).executeTakeFirst();
      if (!job) return done;
      const document = await this.documentFor(job);
      if (!document) continue;
      const next = await this.nextSubmission(job);
      if (!next) {
        await this.finish(job, 'completed');
        continue;
      }
      await this.reReview(job, next, document);
      done += 1;
      if (this.options.itemsPerSecond < Number.POSITIVE_INFINITY) await sleep(1000 / this.options.itemsPerSecond);
    }
    return done;
  }

  /** Newest first, a page at a time (cursor: seq). */
  async list(tenantId: string, page: PageRequest): Promise<Sequenced<ReReviewJobView>[]> {
    let query = this.store.db.selectFrom('store_review_jobs').selectAll().where('tenant_id', '=', tenantId);
    if (page.after) query = query.where(afterKey(['seq'], page.after, 'desc'));
    const rows = await query.orderBy('seq', 'desc').limit(page.limit).execute();
    return rows.map((row) => ({ seq: Number(row.seq), view: jobView(row) }));
  }

  async get(tenantId: string, id: string): Promise<ReReviewJobView> {
    const row = await this.store.db.selectFrom('store_review_jobs').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFound(`Re-review job "${id}"`, 'id');
    return jobView(row);
  }

  async stats(): Promise<ReReviewStats> {
    const rows = await this.store.db
      .selectFrom('store_review_jobs')
      .select((eb) => ['status', eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('processed').as('processed'), eb.fn.sum<number>('total').as('total'), eb.fn.sum<number>('changed').as('changed')])
      .groupBy('status')
      .execute();
    const stats: ReReviewStats = { jobs: { pending: 0, running: 0, completed: 0, superseded: 0 }, processed: 0, remaining: 0, changed: 0 };
    for (const row of rows) {
      stats.jobs[row.status as JobStatus] = Number(row.n);
      stats.processed += Number(row.processed);
      stats.changed += Number(row.changed);
      if (row.status === 'pending' || row.status === 'running') stats.remaining += Number(row.total) - Number(row.processed);
    }
    return stats;
  }

  /** The job's version, or nothing when a newer version has since been published (its own job takes over). */
  private async documentFor(job: StoreReviewJobRow): Promise<PolicyDocument | null> {
    const current = await this.policies.current(job.tenant_id);
    if (current.document.version !== job.policy_version) {
      await this.finish(job, 'superseded');
      return null;
    }
    return current.document;
  }

  private async nextSubmission(job: StoreReviewJobRow) {
    return this.store.db
      .selectFrom('store_submissions')
      .selectAll()
      .where('tenant_id', '=', job.tenant_id)
      .where('latest', '=', 1)
      .where('status', '=', 'approved')
      .where('seq', '>', job.cursor)
      .where('seq', '<=', job.last_submission_seq)
      .orderBy('seq')
      .limit(1)
      .executeTakeFirst();
  }

  private async reReview(job: StoreReviewJobRow, submission: NonNullable<Awaited<ReturnType<ReReviewJobs['nextSubmission']>>>, document: PolicyDocument): Promise<void> {
    const fields = JSON.parse(submission.fields) as SubmissionFields & { images?: SubmissionImage[] };
    const textDecision = evaluateSubmission(fields, document, this.detector);
    const images = fields.images?.length ? await storedImageFindings(this.images, submission.tenant_id, fields.images) : [];
    const decision = withImageReasons(textDecision, images, document, this.detector.thresholds, fields.surface);
    const changed = decision.status !== submission.status;
    const at = this.clock.now();
    await this.store.db.transaction().execute(async (tx) => {
      const claimed = await tx
        .updateTable('store_review_jobs')
        .set((eb) => ({
          status: 'running',
          cursor: submission.seq,
          processed: eb('processed', '+', 1),
          changed: eb('changed', '+', changed ? 1 : 0),
          updated_at: at.toISOString(),
        }))
        .where('id', '=', job.id)
        .where('cursor', '=', job.cursor)
        .executeTakeFirst();
      // Another runner moved this job on first: leave the submission to it.
      if (Number(claimed.numUpdatedRows) !== 1) return;
      const decided = { policy_version: decision.policy_version, decided_at: at.toISOString() };
      if (!changed) {
        await tx.updateTable('store_submissions').set(decided).where('id', '=', submission.id).execute();
        return;
      }
      await changeDecision(tx, this.audit, { submission, decision, trigger: 're_review', jobId: job.id, actor: ACTOR, at, review: { hooks: this.needsReview, policy: document } });
    });
  }

  private async finish(job: StoreReviewJobRow, status: 'completed' | 'superseded'): Promise<void> {
    await this.store.db.transaction().execute((tx) => this.finishIn(tx, job, status));
  }

  private async finishIn(tx: Tx, job: StoreReviewJobRow, status: 'completed' | 'superseded'): Promise<void> {
    const now = this.clock.now().toISOString();
    const updated = await tx
      .updateTable('store_review_jobs')
      .set({ status, updated_at: now, finished_at: now })
      .where('id', '=', job.id)
      .where('status', 'in', ['pending', 'running'])
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) return;
    const fresh = await tx.selectFrom('store_review_jobs').selectAll().where('id', '=', job.id).executeTakeFirstOrThrow();
    await this.audit.append(tx, {
      tenantId: job.tenant_id,
      actor: ACTOR,
      action: `store.re_review_${status}`,
      target: job.id,
      payload: { policy_version: job.policy_version, total: fresh.total, processed: fresh.processed, changed: fresh.changed },
    });
  }
}

function jobView(row: StoreReviewJobRow): ReReviewJobView {
  return {
    object: 'store.review_job',
    id: row.id,
    policy_version: row.policy_version,
    status: row.status as JobStatus,
    total: row.total,
    processed: row.processed,
    changed: row.changed,
    progress: row.total === 0 ? 1 : Math.min(1, row.processed / row.total),
    created_at: row.created_at,
    updated_at: row.updated_at,
    finished_at: row.finished_at,
  };
}
