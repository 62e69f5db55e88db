import type { AuditLog } from '../audit/index.ts';
import { type Clock, Hooks, TenantCache } from '../common/index.ts';
import type { Store, Tx } from '../db/index.ts';
import type { Enforcement, OpenedAppeal } from '../enforce/index.ts';
import type { FollowUp, FollowUpPlan } from '../moderation/index.ts';
import type { PolicyRegistry } from '../policy/index.ts';
import { queueOpenedAppeal, routeAppeal } from './appeals.ts';
import { moderationIntakes } from './automatic.ts';
import { caseView } from './cases.ts';
import type { ReviewContext, Reviewer } from './context.ts';
import { type ClosedCase, type ContentDecided, type DecisionInput, decideCase } from './decisions.ts';
import { type ReportInput, fileIntakeIn, fileReport, targetOf } from './intake.ts';
import { claimCase, releaseCase } from './leases.ts';
import { reviewMetrics } from './metrics.ts';
import { type QueueFilters, caseDetail, decisionView, listQueue } from './queue.ts';
import { type ReviewSettings, loadSettings, saveSettings } from './settings.ts';
import { type SubmissionForReview, queueSubmissionReview } from './store-cases.ts';

/** Reports in, a leased queue for reviewers, decisions out to enforcement. */
export class ReviewDesk {
  private readonly context: ReviewContext;
  /** Told, in the decision's transaction, when a case with a `source_ref` closes. */
  readonly caseClosed = new Hooks<[tx: Tx, closed: ClosedCase]>();
  /** Told what each closed case settled about its content, in the decision's transaction. */
  readonly contentDecided = new Hooks<[tx: Tx, decided: ContentDecided]>();

  /** Each tenant's settings, kept until they change (in this process or another). */
  private readonly cachedSettings: TenantCache<ReviewSettings>;

  constructor(store: Store, audit: AuditLog, clock: Clock, policies: PolicyRegistry, enforcement: Enforcement) {
    this.context = { store, audit, clock, policies, enforcement, caseClosed: this.caseClosed, contentDecided: this.contentDecided };
    this.cachedSettings = new TenantCache((tenantId) => loadSettings(store.db, tenantId));
    store.changes.changed.subscribe((tenantId) => this.cachedSettings.invalidate(tenantId));
  }

  /** Queues a store submission that needs a person, in the store's transaction (see queueSubmissionReview). */
  async queueSubmissionReview(tx: Tx, input: SubmissionForReview) {
    return queueSubmissionReview(tx, this.context, input);
  }

  async fileReport(tenantId: string, input: ReportInput, actor: string) {
    return fileReport(this.context, tenantId, input, actor);
  }

  /**
   * Plans the automatic review cases a moderation opens: every result, scored by both Warden's and
   * OpenAI's categories, is weighed against the tenant's settings (cached) and the policy version the
   * verdict used; the cases are filed in the follow-up's transaction.
   */
  readonly planModeration = (followUp: FollowUp, plan: FollowUpPlan): Promise<void> | void => {
    // Settings in memory (the common case) cost no promise.
    const settings = this.cachedSettings.peek(followUp.tenantId);
    if (settings) return this.planIntakes(followUp, plan, settings);
    return this.cachedSettings.get(followUp.tenantId).then((loaded) => this.planIntakes(followUp, plan, loaded));
  };

  private planIntakes(followUp: FollowUp, plan: FollowUpPlan, settings: ReviewSettings): void {
    const intakes = moderationIntakes(followUp, settings);
    if (intakes.length === 0) return;
    plan.add(
      async (tx) => {
        for (const intake of intakes) await fileIntakeIn(tx, this.context, intake, settings);
      },
      intakes.map((intake) => `review:target:${intake.tenantId}:${targetOf(intake.target).key}`),
    );
  }

  /**
   * Files, in the caller's transaction, the case a judgement delivered after the moderation asks
   * for (the judge unsure of its verdict): the follow-up holds that one result.
   */
  readonly fileJudged = async (tx: Tx, followUp: FollowUp): Promise<void> => {
    const settings = await this.cachedSettings.get(followUp.tenantId);
    const intakes = moderationIntakes(followUp, settings, ':judged');
    for (const intake of intakes) await fileIntakeIn(tx, this.context, intake, settings);
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
