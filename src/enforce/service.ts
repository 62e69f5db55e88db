import type { AuditLog } from '../audit/index.ts';
import { type Clock, Hooks, InvalidInput, NotFound, type PageRequest } from '../common/index.ts';
import { GroupCommit, type Store, type Tx } from '../db/index.ts';
import type { FollowUp, FollowUpPlan } from '../moderation/index.ts';
import type { PolicyRegistry } from '../policy/index.ts';
import type { Tenancy } from '../tenancy/index.ts';
import { findAccount, lockAccount } from './accounts.ts';
import { actionView } from './actions.ts';
import { type AppealDecisionInput, type AppealInput, type OpenedAppeal, appealView, decideAppeal, getAppeal, openAppeal } from './appeals.ts';
import { getReport, listReports, recordSubmission, reportView } from './child-safety.ts';
import type { EnforceContext } from './context.ts';
import type { EventInput, Recorded } from './events.ts';
import { type IngestPolicies, ingestEvents, ingestEventsIn } from './ingest.ts';
import { EnforcementInTransaction } from './in-transaction.ts';
import { type ExemptionInput, checkExemptionScope, exemptionView, getExemption, grantExemption, listExemptions, revokeExemption } from './exemptions.ts';
import { EnforcementPolicies } from './policy-versions.ts';
import { findAction, reverseAction } from './reversal.ts';
import { accountStanding } from './standing.ts';

const MAX_ACCOUNT_ID = 256;

/** Accounts' standing: violations in, proportionate, explainable, reversible actions out. */
export class Enforcement {
  readonly policies: EnforcementPolicies;
  private readonly context: EnforceContext;
  /** Told, in the appeal's transaction, of every newly opened appeal. */
  readonly appealOpened = new Hooks<[tx: Tx, appeal: OpenedAppeal]>();
  /** Single events of one tenant and caller, recorded together when they arrive together (group commit). */
  private readonly singles = new GroupCommit<{ tenantId: string; actor: string; event: EventInput }, Recorded>(
    (items) => this.recordEvents(items[0]!.tenantId, items[0]!.actor, items.map((item) => item.event)),
    { maxGroup: 500 },
  );

  constructor(
    store: Store,
    audit: AuditLog,
    clock: Clock,
    private readonly usagePolicies: PolicyRegistry,
    private readonly tenancy: Tenancy,
  ) {
    this.context = { store, audit, clock };
    this.policies = new EnforcementPolicies(this.context);
  }

  /** Records events (one transaction for all of them) and evaluates each account's ladder. */
  async recordEvents(tenantId: string, actor: string, events: EventInput[], paramPrefix: (index: number) => string = () => ''): Promise<Recorded[]> {
    const [tenant, policies] = await Promise.all([this.tenancy.tenantById(tenantId), this.ingestPolicies(tenantId)]);
    if (!tenant) throw new NotFound('Tenant');
    return ingestEvents(this.context, policies, { tenantId, tenantName: tenant.name, actor, events, paramPrefix });
  }

  /** Loads the tenant's policies, then hands out the enforcement steps that run in a caller's transaction. */
  async inTransaction(tenantId: string): Promise<EnforcementInTransaction> {
    const [tenant, policies] = await Promise.all([this.tenancy.tenantById(tenantId), this.ingestPolicies(tenantId)]);
    if (!tenant) throw new NotFound('Tenant');
    return new EnforcementInTransaction(this.context, policies, { id: tenantId, name: tenant.name });
  }

  private async ingestPolicies(tenantId: string): Promise<IngestPolicies> {
    const [usage, enforcement] = await Promise.all([this.usagePolicies.current(tenantId), this.policies.current(tenantId)]);
    return { usage: { version: usage.summary.version, document: usage.document }, enforcement };
  }

  /** Records one event; concurrent calls share transactions (group commit), each with its own answer. */
  async recordEvent(tenantId: string, actor: string, event: EventInput): Promise<Recorded> {
    return this.singles.submit(`${tenantId}\n${actor}`, { tenantId, actor, event });
  }

  /**
   * Plans what a moderation that named an account does to it: each result with violations becomes
   * one event, `moderation:<moderation id>:<index>`, judged against the policy version the verdict
   * used and the enforcement policy in force (both cached), written in the follow-up's transaction.
   */
  readonly planModeration = (followUp: FollowUp, plan: FollowUpPlan): Promise<void> | void => {
    // Most moderations name no account or violate nothing: they cost no promise.
    if (followUp.account === null || !followUp.results.some((result) => result.violations.length > 0)) return;
    return this.planEvents(followUp, followUp.account, plan);
  };

  private async planEvents(followUp: FollowUp, account: string, plan: FollowUpPlan): Promise<void> {
    const events = followUp.results
      .filter((result) => result.violations.length > 0)
      .map((result) => ({
        id: `moderation:${followUp.moderationId}:${result.index}`,
        account,
        account_kind: 'user' as const,
        source: 'moderation' as const,
        violations: result.violations.map((v) => ({ clause_id: v.clause_id, category: v.category, score: v.score, evidence: v.evidence as unknown as Record<string, unknown>[] })),
        content: { digest: result.digest, type: 'text' as const },
      }));
    if (events.length === 0) return;
    if (account.length > MAX_ACCOUNT_ID) throw new InvalidInput(`An account id is at most ${MAX_ACCOUNT_ID} characters.`, 'user');
    const [tenant, enforcement] = await Promise.all([this.tenancy.tenantById(followUp.tenantId), this.policies.current(followUp.tenantId)]);
    if (!tenant) throw new NotFound('Tenant');
    const policies: IngestPolicies = { usage: followUp.policy, enforcement };
    const request = { tenantId: tenant.id, tenantName: tenant.name, actor: followUp.actor, events, paramPrefix: () => '' };
    plan.add(
      async (tx) => {
        await ingestEventsIn(tx, this.context, policies, request);
      },
      [`enforce:account:${tenant.id}:${account}`],
    );
  }

  async standing(tenantId: string, externalId: string) {
    const account = await findAccount(this.context.store.db, tenantId, externalId);
    return accountStanding(this.context.store.db, account, await this.policies.current(tenantId), this.context.clock.now());
  }

  async reverse(tenantId: string, externalId: string, actionId: string, reason: string, actor: string) {
    const policy = await this.policies.current(tenantId);
    const { action, restored } = await this.context.store.db.transaction().execute(async (tx) => {
      const account = await lockAccount(tx, this.context, tenantId, externalId);
      const found = await findAction(tx, tenantId, account.id, actionId, 'actionId');
      return reverseAction(tx, this.context, policy.document, { tenantId, account, action: found, actor, reason });
    });
    return { ...actionView(action, this.context.clock.now()), restored_rung: restored };
  }

  async openAppeal(tenantId: string, externalId: string, input: AppealInput, actor: string) {
    return appealView(await openAppeal(this.context, this.appealOpened, tenantId, externalId, input, actor));
  }

  async decideAppeal(tenantId: string, appealId: string, input: AppealDecisionInput, actor: string) {
    const policy = await this.policies.current(tenantId);
    const decided = await this.context.store.db.transaction().execute((tx) => decideAppeal(tx, this.context, policy.document, tenantId, appealId, input, actor));
    return appealView(decided);
  }

  async appeal(tenantId: string, appealId: string) {
    return appealView(await getAppeal(this.context.store.db, tenantId, appealId));
  }

  async grantExemption(tenantId: string, input: ExemptionInput, actor: string) {
    const usage = await this.usagePolicies.current(tenantId);
    checkExemptionScope(input, usage.document, this.context.clock.now());
    return exemptionView(await grantExemption(this.context, tenantId, input, actor), this.context.clock.now());
  }

  async exemptions(tenantId: string, page: PageRequest, externalId?: string) {
    const accountId = externalId ? (await findAccount(this.context.store.db, tenantId, externalId)).id : undefined;
    const now = this.context.clock.now();
    return (await listExemptions(this.context.store.db, tenantId, accountId, page)).map((row) => exemptionView(row, now));
  }

  async exemption(tenantId: string, id: string) {
    return exemptionView(await getExemption(this.context.store.db, tenantId, id), this.context.clock.now());
  }

  async revokeExemption(tenantId: string, id: string, actor: string) {
    return exemptionView(await revokeExemption(this.context, tenantId, id, actor), this.context.clock.now());
  }

  async childSafetyReports(tenantId: string, options: PageRequest & { status?: string }) {
    return (await listReports(this.context.store.db, tenantId, options)).map(reportView);
  }

  async childSafetyReport(tenantId: string, id: string) {
    return reportView(await getReport(this.context.store.db, tenantId, id));
  }

  async recordReportSubmission(tenantId: string, id: string, input: { external_report_id: string }, actor: string) {
    return reportView(await recordSubmission(this.context, tenantId, id, input, actor));
  }
}
