import type { AuditLog } from '../audit/index.ts';
import { type Clock, InvalidInput, NotFound, type PageRequest } from '../common/index.ts';
import type { Store } from '../db/index.ts';
import type { ModeratedHook } from '../moderation/index.ts';
import type { PolicyRegistry } from '../policy/index.ts';
import type { Tenancy } from '../tenancy/index.ts';
import { findAccount, lockAccount } from './accounts.ts';
import { actionView } from './actions.ts';
import { type AppealDecisionInput, type AppealInput, type AppealOpenedHook, appealView, decideAppeal, getAppeal, openAppeal } from './appeals.ts';
import { getReport, listReports, recordSubmission, reportView } from './child-safety.ts';
import type { EnforceContext } from './context.ts';
import type { EventInput, Recorded } from './events.ts';
import { type IngestPolicies, ingestEvents } from './ingest.ts';
import { EnforcementInTransaction } from './in-transaction.ts';
import { type ExemptionInput, checkExemptionScope, exemptionView, getExemption, grantExemption, listExemptions, revokeExemption } from './exemptions.ts';
import { GroupCommitter } from './group-commit.ts';
import { EnforcementPolicies } from './policy-versions.ts';
import { findAction, reverseAction } from './reversal.ts';
import { accountStanding } from './standing.ts';

const MAX_ACCOUNT_ID = 256;

/** A moderation call's flagged results for one account, as the moderation route hands them over. */
export interface ModerationViolations {
  tenantId: string;
  actor: string;
  /** The `user` (or `warden.account`) the call named. */
  account: string;
  moderationId: string;
  results: {
    index: number;
    violations: { clause_id: string; category?: string; score?: number; evidence?: Record<string, unknown>[] }[];
    content?: { digest: string; type: 'text' | 'image' };
  }[];
}

/** Accounts' standing: violations in, proportionate, explainable, reversible actions out. */
export class Enforcement {
  readonly policies: EnforcementPolicies;
  private readonly context: EnforceContext;
  private readonly appealOpenedHooks: AppealOpenedHook[] = [];
  private readonly singles = new GroupCommitter((tenantId, actor, events) => this.recordEvents(tenantId, actor, events));

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
    return this.singles.record(tenantId, actor, event);
  }

  /**
   * The moderation route's hook: each flagged result of a call that named an account becomes one
   * event, idempotent on the moderation id and the input's index.
   */
  async recordModerationViolations(input: ModerationViolations): Promise<Recorded[]> {
    if (input.account.length > MAX_ACCOUNT_ID) throw new InvalidInput(`An account id is at most ${MAX_ACCOUNT_ID} characters.`, 'user');
    const events = input.results
      .filter((result) => result.violations.length > 0)
      .map((result) => ({
        id: `moderation:${input.moderationId}:${result.index}`,
        account: input.account,
        account_kind: 'user' as const,
        source: 'moderation' as const,
        violations: result.violations as EventInput['violations'],
        content: result.content,
      }));
    if (events.length === 0) return [];
    return this.recordEvents(input.tenantId, input.actor, events);
  }

  /** The /v1/moderations hook: a call that names an account (`user` or `warden.account`) gives it strikes. */
  readonly onModerated: ModeratedHook = async (principal, account, batch) => {
    if (account === null) return;
    await this.recordModerationViolations({
      tenantId: principal.tenantId,
      actor: `key:${principal.keyId}`,
      account,
      moderationId: batch.id,
      results: batch.results.map((result, index) => ({
        index,
        violations: result.warden.violations.map((v) => ({ clause_id: v.clause_id, category: v.category, score: v.score, evidence: v.evidence as unknown as Record<string, unknown>[] })),
        content: { digest: batch.contentDigests[index]!, type: 'text' as const },
      })),
    });
  };

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

  /** Registers a hook told, in the appeal's transaction, of every newly opened appeal. */
  onAppealOpened(hook: AppealOpenedHook): void {
    this.appealOpenedHooks.push(hook);
  }

  async openAppeal(tenantId: string, externalId: string, input: AppealInput, actor: string) {
    return appealView(await openAppeal(this.context, this.appealOpenedHooks, tenantId, externalId, input, actor));
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
