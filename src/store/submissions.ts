import type { AuditLog } from '../audit/index.ts';
import { type Clock, Conflict, Hooks, InvalidInput, NotFound, PayloadTooLarge, newId } from '../common/index.ts';
import { type StoreSubmissionRow, type Store, type Tx, isUniqueViolation } from '../db/index.ts';
import { enqueueEvent } from '../notify/index.ts';
import type { PolicyDocument, PolicyRegistry } from '../policy/index.ts';
import { type NeedsReviewHooks, type ReviewFinding, SOURCE_PREFIX, type SubmissionNeedingReview, routeToReview } from './human-review.ts';
import { type ListingImages, type StoreImageJudge, imageEvidenceTexts, listingImageParts, submissionImages, withImageReasons } from './images.ts';
import { type Decision, type DecisionStatus, type Reason, type SubmissionFields, type TextDetector, evaluateSubmission, fieldTexts } from './evaluate.ts';

/** Longest accepted text per field, in characters: beyond it a submission is refused with 413. */
export const FIELD_LIMITS = { name: 100, description: 4_000, instructions: 16_000, conversation_starter: 500, category: 64 } as const;
export const MAX_CONVERSATION_STARTERS = 10;

export interface SubmitInput extends Omit<SubmissionFields, 'images'>, ListingImages {
  /** Present for a resubmission of an existing app: the new revision joins its history. */
  app_id?: string;
  owner?: string;
}

export interface DecisionView {
  status: DecisionStatus;
  policy_version: string;
  trigger: 'submission' | 're_review' | 'review';
  job_id: string | null;
  decided_at: string;
  reasons: Reason[];
}

export interface SubmissionView {
  object: 'store.submission';
  id: string;
  app_id: string;
  revision: number;
  owner: string | null;
  status: DecisionStatus;
  policy_version: string;
  reasons: Reason[];
  fields: SubmissionFields;
  created_at: string;
  decided_at: string;
  /** Every decision on this revision, oldest first: the submission's, then any re-reviews. */
  decisions: DecisionView[];
  /** Every revision of the app, oldest first. */
  history: { id: string; revision: number; status: DecisionStatus; created_at: string; latest: boolean }[];
}

/** App and GPT submissions to the store: judged on arrival, kept with their history. */
export class StoreSubmissions {
  /** Where submissions decided `needs_review` go (see NeedsReviewHooks). */
  readonly needsReview = new Hooks<[tx: Tx, submission: SubmissionNeedingReview]>();

  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly policies: PolicyRegistry,
    private readonly detector: TextDetector,
    /** Checks the icon and screenshots; a listing with images is refused without it. */
    private readonly images?: StoreImageJudge,
  ) {}

  async submit(tenantId: string, input: SubmitInput, actor: string): Promise<SubmissionView> {
    assertSizes(input);
    const parts = listingImageParts(input);
    if (parts.length && !this.images) throw new InvalidInput('This server does not check listing images.', parts[0]!.param);
    // Images are loaded, hashed and classified before anything is written; a bad one refuses the submission whole.
    const findings = parts.length ? await this.images!.judge(tenantId, parts) : [];
    const fields = { ...pickFields(input), ...(findings.length && { images: submissionImages(findings) }) };
    const policy = await this.policies.current(tenantId);
    const decision = withImageReasons(evaluateSubmission(fields, policy.document, this.detector), findings, policy.document, this.detector.thresholds, fields.surface);
    const now = this.clock.now().toISOString();
    const id = newId('sbm');
    try {
      await this.store.db.transaction().execute(async (tx) => {
        const appId = input.app_id ?? (await this.createApp(tx, tenantId, input.owner ?? null, now));
        const previous = await tx
          .selectFrom('store_submissions')
          .select(['revision'])
          .where('tenant_id', '=', tenantId)
          .where('app_id', '=', appId)
          .orderBy('revision', 'desc')
          .limit(1)
          .executeTakeFirst();
        if (input.app_id && !previous) throw new NotFound(`App "${input.app_id}"`, 'app_id');
        await tx.updateTable('store_submissions').set({ latest: 0 }).where('app_id', '=', appId).where('latest', '=', 1).execute();
        const row = {
          id,
          tenant_id: tenantId,
          app_id: appId,
          revision: (previous?.revision ?? 0) + 1,
          fields: JSON.stringify(fields),
          status: decision.status,
          latest: 1,
          policy_version: decision.policy_version,
          reasons: JSON.stringify(decision.reasons),
          submitted_by: actor,
          created_at: now,
          decided_at: now,
        };
        await tx.insertInto('store_submissions').values(row).execute();
        await recordDecision(tx, this.audit, {
          submission: { ...row, seq: 0 },
          owner: await ownerOf(tx, appId),
          decision,
          previousStatus: null,
          trigger: 'submission',
          jobId: null,
          actor,
          at: this.clock.now(),
          review: { hooks: this.needsReview, policy: policy.document },
        });
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new Conflict('Another revision of this app was submitted at the same time; submit again.', 'app_id');
      throw error;
    }
    return this.get(tenantId, id);
  }

  async get(tenantId: string, id: string): Promise<SubmissionView> {
    const row = await this.store.db.selectFrom('store_submissions').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFound(`Submission "${id}"`, 'id');
    const [app, decisions, revisions] = await Promise.all([
      this.store.db.selectFrom('store_apps').select('owner').where('id', '=', row.app_id).executeTakeFirstOrThrow(),
      this.store.db.selectFrom('store_decisions').selectAll().where('submission_id', '=', id).orderBy('seq').execute(),
      this.store.db
        .selectFrom('store_submissions')
        .select(['id', 'revision', 'status', 'created_at', 'latest'])
        .where('app_id', '=', row.app_id)
        .orderBy('revision')
        .execute(),
    ]);
    return {
      object: 'store.submission',
      id: row.id,
      app_id: row.app_id,
      revision: row.revision,
      owner: app.owner,
      status: row.status as DecisionStatus,
      policy_version: row.policy_version,
      reasons: JSON.parse(row.reasons) as Reason[],
      fields: JSON.parse(row.fields) as SubmissionFields,
      created_at: row.created_at,
      decided_at: row.decided_at,
      decisions: decisions.map((d) => ({
        status: d.status as DecisionStatus,
        policy_version: d.policy_version,
        trigger: d.trigger as DecisionView['trigger'],
        job_id: d.job_id,
        decided_at: d.decided_at,
        reasons: JSON.parse(d.reasons) as Reason[],
      })),
      history: revisions.map((r) => ({ id: r.id, revision: r.revision, status: r.status as DecisionStatus, created_at: r.created_at, latest: r.latest === 1 })),
    };
  }

  /**
   * Settles a submission by a reviewer's finding, in the decision's transaction: a violation rejects
   * it citing the clauses found, no violation approves it. The decision joins the submission's
   * history and is announced (`submission.decided`) like any other. Other sources are not the store's.
   */
  async applyReviewFinding(tx: Tx, input: ReviewFinding): Promise<void> {
    if (!input.sourceRef.startsWith(SOURCE_PREFIX)) return;
    const submissionId = input.sourceRef.slice(SOURCE_PREFIX.length);
    const submission = await tx.selectFrom('store_submissions').selectAll().where('tenant_id', '=', input.tenantId).where('id', '=', submissionId).executeTakeFirst();
    if (!submission) return;
    const decision: Decision = {
      status: input.finding === 'violation' ? 'rejected' : 'approved',
      policy_version: submission.policy_version,
      reasons: input.finding === 'violation' ? reviewedReasons(JSON.parse(submission.reasons) as Reason[], input) : [],
    };
    await changeDecision(tx, this.audit, { submission, decision, trigger: 'review', jobId: null, actor: input.reviewer, at: input.at });
  }

  private async createApp(tx: Tx, tenantId: string, owner: string | null, now: string): Promise<string> {
    const id = newId('app');
    await tx.insertInto('store_apps').values({ id, tenant_id: tenantId, owner, created_at: now }).execute();
    return id;
  }
}

/**
 * Stores a decision, audits it and announces it (`submission.decided`) in the caller's
 * transaction: the same path for a new submission and for a re-review that changes one.
 */
export async function recordDecision(
  tx: Tx,
  audit: AuditLog,
  input: {
    submission: StoreSubmissionRow;
    owner: string | null;
    decision: Decision;
    previousStatus: DecisionStatus | null;
    trigger: DecisionView['trigger'];
    jobId: string | null;
    actor: string;
    at: Date;
    /** Where a `needs_review` decision goes, and the policy it was judged against. */
    review?: { hooks: NeedsReviewHooks; policy: PolicyDocument };
  },
): Promise<void> {
  const { submission, decision } = input;
  const decidedAt = input.at.toISOString();
  // Before the audit entry: every writer takes the review case's lock before the audit chain's.
  if (decision.status === 'needs_review' && input.review) {
    await routeToReview(input.review.hooks, tx, {
      tenantId: submission.tenant_id,
      submissionId: submission.id,
      appId: submission.app_id,
      actor: input.actor,
      policy: input.review.policy,
      reasons: decision.reasons,
      fields: reviewTexts(JSON.parse(submission.fields) as SubmissionFields),
    });
  }
  await tx
    .insertInto('store_decisions')
    .values({
      id: newId('sdc'),
      tenant_id: submission.tenant_id,
      submission_id: submission.id,
      status: decision.status,
      policy_version: decision.policy_version,
      reasons: JSON.stringify(decision.reasons),
      trigger: input.trigger,
      job_id: input.jobId,
      decided_at: decidedAt,
    })
    .execute();
  const summary = {
    submission_id: submission.id,
    app_id: submission.app_id,
    revision: submission.revision,
    owner: input.owner,
    name: (JSON.parse(submission.fields) as SubmissionFields).name,
    status: decision.status,
    previous_status: input.previousStatus,
    policy_version: decision.policy_version,
    trigger: input.trigger,
    job_id: input.jobId,
    clause_ids: [...new Set(decision.reasons.map((r) => r.clause_id))],
  };
  await audit.append(tx, { tenantId: submission.tenant_id, actor: input.actor, action: 'store.submission_decided', target: submission.id, payload: summary });
  await enqueueEvent(tx, { tenantId: submission.tenant_id, type: 'submission.decided', at: input.at, payload: { ...summary, reasons: decision.reasons } });
}

/** Moves an existing submission to a new decision, which joins its history (see recordDecision). */
export async function changeDecision(
  tx: Tx,
  audit: AuditLog,
  input: Omit<Parameters<typeof recordDecision>[2], 'owner' | 'previousStatus'>,
): Promise<void> {
  const { submission, decision } = input;
  await tx
    .updateTable('store_submissions')
    .set({ status: decision.status, reasons: JSON.stringify(decision.reasons), policy_version: decision.policy_version, decided_at: input.at.toISOString() })
    .where('id', '=', submission.id)
    .execute();
  await recordDecision(tx, audit, { ...input, owner: await ownerOf(tx, submission.app_id), previousStatus: submission.status as DecisionStatus });
}

export async function ownerOf(tx: Tx, appId: string): Promise<string | null> {
  const app = await tx.selectFrom('store_apps').select('owner').where('id', '=', appId).executeTakeFirstOrThrow();
  return app.owner;
}

function pickFields(input: SubmitInput): SubmissionFields {
  return {
    name: input.name,
    description: input.description,
    instructions: input.instructions,
    conversation_starters: input.conversation_starters,
    audience: input.audience,
    category: input.category,
    surface: input.surface,
  };
}

function assertSizes(input: SubmitInput): void {
  const check = (param: string, text: string, limit: number) => {
    if (text.length > limit) throw new PayloadTooLarge(`${param}: at most ${limit} characters (got ${text.length})`, param);
  };
  check('name', input.name, FIELD_LIMITS.name);
  check('description', input.description, FIELD_LIMITS.description);
  check('instructions', input.instructions, FIELD_LIMITS.instructions);
  check('category', input.category, FIELD_LIMITS.category);
  if (input.conversation_starters.length > MAX_CONVERSATION_STARTERS) {
    throw new PayloadTooLarge(`conversation_starters: at most ${MAX_CONVERSATION_STARTERS}`, 'conversation_starters');
  }
  input.conversation_starters.forEach((text, i) => check(`conversation_starters[${i}]`, text, FIELD_LIMITS.conversation_starter));
}

/** Each clause the reviewer found, with the rules' own reason for it where they gave one. */
function reviewedReasons(flagged: Reason[], input: ReviewFinding): Reason[] {
  return input.clauseIds.flatMap((clauseId) => {
    const found = flagged.filter((r) => r.clause_id === clauseId);
    if (found.length > 0) return found.map((r) => ({ ...r, outcome: 'rejected' as const }));
    return [
      {
        clause_id: clauseId,
        outcome: 'rejected' as const,
        check: 'human_review' as const,
        reason: input.notes ?? `A reviewer found a violation in review case ${input.caseId}.`,
        field: 'listing',
        span: null,
        excerpt: null,
        source: `review:${input.caseId}`,
        category: null,
      },
    ];
  });
}

/** What a reviewer reads: each text field by its path, then what the image model said about each image. */
function reviewTexts(fields: SubmissionFields): { field: string; text: string }[] {
  return [...fieldTexts(fields).map(({ path, text }) => ({ field: path, text })), ...imageEvidenceTexts(fields.images)];
}
