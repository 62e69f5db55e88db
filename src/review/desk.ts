import type { AuditLog } from '../audit/index.ts';
import type { Clock } from '../common/index.ts';
import type { Store, Tx } from '../db/index.ts';
import type { Enforcement, OpenedAppeal } from '../enforce/index.ts';
import type { ModeratedHook } from '../moderation/index.ts';
import type { PolicyRegistry } from '../policy/index.ts';
import { queueOpenedAppeal, routeAppeal } from './appeals.ts';
import { type ModerationOutcome, queueModerationOutcome } from './automatic.ts';
import { caseView } from './cases.ts';
import type { ReviewContext, Reviewer } from './context.ts';
import { type CaseClosedHook, type DecisionInput, decideCase } from './decisions.ts';
import { type ReportInput, fileReport } from './intake.ts';
import { claimCase, releaseCase } from './leases.ts';
import { reviewMetrics } from './metrics.ts';
import { type QueueFilters, caseDetail, decisionView, listQueue } from './queue.ts';
import { loadSettings, saveSettings } from './settings.ts';
import { type SubmissionForReview, queueSubmissionReview } from './store-cases.ts';

/** Reports in, a leased queue for reviewers, decisions out to enforcement. */
export class ReviewDesk {
  private readonly context: ReviewContext;

  constructor(store: Store, audit: AuditLog, clock: Clock, policies: PolicyRegistry, enforcement: Enforcement) {
    this.context = { store, audit, clock, policies, enforcement, closedHooks: [] };
  }

  /** Registers a hook told, in the decision's transaction, when a case with a `source_ref` closes. */
  onCaseClosed(hook: CaseClosedHook): void {
    this.context.closedHooks.push(hook);
  }

  /** Queues a store submission that needs a person, in the store's transaction (see queueSubmissionReview). */
  async queueSubmissionReview(tx: Tx, input: SubmissionForReview) {
    return queueSubmissionReview(tx, this.context, input);
  }

  async fileReport(tenantId: string, input: ReportInput, actor: string) {
    return fileReport(this.context, tenantId, input, actor);
  }

  /** Queues the moderation results a person should look at (see `onModerated` for the route's hook). */
  async queueModerationOutcome(outcome: ModerationOutcome) {
    return queueModerationOutcome(this.context, outcome);
  }

  /** The /v1/moderations hook: every result, scored by both Warden's and OpenAI's categories, is considered for review. */
  readonly onModerated: ModeratedHook = async (principal, account, batch) => {
    await queueModerationOutcome(this.context, {
      tenantId: principal.tenantId,
      actor: `key:${principal.keyId}`,
      moderationId: batch.id,
      account,
      policyVersion: batch.results[0]?.warden.policy_version ?? '',
      results: batch.results.map((result, index) => ({
        index,
        digest: batch.contentDigests[index]!,
        text: batch.contents[index]!,
        category_scores: { ...result.category_scores, ...result.warden.category_scores } as Record<string, number>,
        violations: result.warden.violations.map((v) => ({ clause_id: v.clause_id, category: v.category, score: v.score, evidence: v.evidence })),
      })),
    });
  };

  async queue(reviewer: Reviewer, filters: QueueFilters) {
    return listQueue(this.context, reviewer, filters);
  }

  async caseDetail(reviewer: Reviewer, caseId: string) {
    return caseDetail(this.context, reviewer, caseId);
  }

  async claim(reviewer: Reviewer, caseId: string) {
    return caseView(await claimCase(this.context, reviewer, caseId), this.context.clock.now(), { content: false });
  }

  async release(reviewer: Reviewer, caseId: string) {
    return caseView(await releaseCase(this.context, reviewer, caseId), this.context.clock.now(), { content: false });
  }

  async decide(reviewer: Reviewer, caseId: string, input: DecisionInput) {
    const result = await decideCase(this.context, reviewer, caseId, input);
    return {
      ...decisionView(result.decision),
      case_status: result.caseStatus,
      needs_confirmation: result.caseStatus === 'awaiting_confirmation',
      agreed: result.agreed,
      enforcement: result.enforcement,
      appeal: result.appeal,
    };
  }

  async routeAppeal(tenantId: string, appealId: string, actor: string) {
    return routeAppeal(this.context, tenantId, appealId, actor);
  }

  /** Queues a newly opened enforcement appeal, in the appeal's transaction (see queueOpenedAppeal). */
  async queueOpenedAppeal(tx: Tx, appeal: OpenedAppeal) {
    return queueOpenedAppeal(tx, this.context, appeal);
  }

  async metrics(tenantId: string, windowHours: number) {
    return reviewMetrics(this.context, tenantId, windowHours);
  }

  async settings(tenantId: string) {
    return loadSettings(this.context.store.db, tenantId);
  }

  async updateSettings(tenantId: string, input: unknown, actor: string) {
    return saveSettings(this.context, tenantId, input, actor);
  }
}
