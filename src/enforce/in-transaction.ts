import { NotFound } from '../common/index.ts';
import type { EnforcementEventRow, Tx } from '../db/index.ts';
import { type AppealDecisionInput, appealView, decideAppeal } from './appeals.ts';
import { type ConfirmationState, settleReports } from './child-safety.ts';
import type { EnforceContext } from './context.ts';
import type { EventInput, Recorded } from './events.ts';
import { type IngestPolicies, ingestEventsIn } from './ingest.ts';
import { retractEvent } from './reversal.ts';

/**
 * Enforcement steps that run inside a caller's transaction, so a decision and the enforcement it
 * causes commit together or not at all. `Enforcement.inTransaction` reads what they need first:
 * on SQLite's one connection, a read outside an open transaction would wait for it forever.
 */
export class EnforcementInTransaction {
  constructor(
    private readonly context: EnforceContext,
    private readonly policies: IngestPolicies,
    private readonly tenant: { id: string; name: string },
  ) {}

  /** As `Enforcement.recordEvents`, in the caller's transaction. */
  async recordEvents(tx: Tx, actor: string, events: EventInput[]): Promise<Recorded[]> {
    return ingestEventsIn(tx, this.context, this.policies, { tenantId: this.tenant.id, tenantName: this.tenant.name, actor, events, paramPrefix: () => '' });
  }

  /** Records a second review's verdict on the child-safety reports event `eventId` opened; returns their ids. */
  async settleChildSafetyReports(tx: Tx, eventId: string, input: { state: ConfirmationState; reviewer: string | null; actor: string }): Promise<string[]> {
    const event = await this.event(tx, eventId);
    return settleReports(tx, this.context, { tenantId: this.tenant.id, eventInternalId: event.id, ...input });
  }

  /** Reverses what event `eventId` did to its account (see retractEvent); returns the reversed actions' ids. */
  async retractEvent(tx: Tx, eventId: string, input: { actor: string; reason: string }): Promise<string[]> {
    const event = await this.event(tx, eventId);
    return retractEvent(tx, this.context, this.policies.enforcement.document, { tenantId: this.tenant.id, event, ...input });
  }

  /** As `Enforcement.decideAppeal`, in the caller's transaction. */
  async decideAppeal(tx: Tx, appealId: string, input: AppealDecisionInput, actor: string) {
    return appealView(await decideAppeal(tx, this.context, this.policies.enforcement.document, this.tenant.id, appealId, input, actor));
  }

  private async event(tx: Tx, eventId: string): Promise<EnforcementEventRow> {
    const row = await tx.selectFrom('enforcement_events').selectAll().where('tenant_id', '=', this.tenant.id).where('idempotency_key', '=', eventId).executeTakeFirst();
    if (!row) throw new NotFound(`Enforcement event ${eventId}`, 'id');
    return row;
  }
}
