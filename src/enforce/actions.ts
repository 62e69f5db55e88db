import type { AuditEntry } from '../audit/index.ts';
import { newId } from '../common/index.ts';
import type { AccountRow, EnforcementActionRow } from '../db/index.ts';
import type { OutboxEvent } from '../notify/index.ts';
import type { Level } from './enforcement-policy.ts';
import { type Escalation, isInForce } from './ladder.ts';

export interface ActionReasons {
  clause_ids: string[];
  /** The tenant's ids of the events behind the action. */
  event_ids: string[];
  score: number;
  threshold: number | null;
}

export interface NewAction {
  tenantId: string;
  actor: string;
  account: AccountRow;
  escalation: Escalation;
  previous: Level;
  eventInternalId: string;
  eventId: string;
  score: number;
  enforcementVersion: string;
}

/** An action about to be written, with its outbox event and audit entry (written together with the batch). */
export interface PlannedAction {
  row: NewActionRow;
  outbox: OutboxEvent;
  audit: AuditEntry;
}

export type NewActionRow = Omit<EnforcementActionRow, 'seq'>;

/** Plans an action on the ladder: the row, the `account.action_taken` outbox event and the audit entry. */
export function planAction(now: Date, action: NewAction): PlannedAction {
  const reasons: ActionReasons = {
    clause_ids: action.escalation.clauseIds,
    event_ids: [action.eventId],
    score: roundScore(action.score),
    threshold: action.escalation.threshold,
  };
  const row: NewActionRow = {
    id: newId('act'),
    tenant_id: action.tenantId,
    account_id: action.account.id,
    rung: action.escalation.rung,
    previous_rung: action.previous,
    trigger: action.escalation.trigger,
    reasons: JSON.stringify(reasons),
    event_id: action.eventInternalId,
    enforcement_version: action.enforcementVersion,
    taken_at: now.toISOString(),
    ends_at: action.escalation.endsAt?.toISOString() ?? null,
    reversed_at: null,
    reversed_by: null,
    reversal_reason: null,
  };
  return {
    row,
    outbox: { tenantId: action.tenantId, type: 'account.action_taken', payload: { account: action.account.external_id, action: actionView(row, now) }, at: now },
    audit: {
      tenantId: action.tenantId,
      actor: action.actor,
      action: 'enforcement.action_taken',
      target: row.id,
      payload: { account: action.account.external_id, rung: row.rung, previous_rung: row.previous_rung, trigger: row.trigger, reasons, ends_at: row.ends_at },
    },
  };
}

export type ActionStatus = 'in_force' | 'ended' | 'reversed';

export function actionStatus(row: NewActionRow, now: Date): ActionStatus {
  if (row.reversed_at) return 'reversed';
  return isInForce(row, now) ? 'in_force' : 'ended';
}

export function actionView(row: NewActionRow, now: Date) {
  return {
    object: 'enforcement_action' as const,
    id: row.id,
    rung: row.rung,
    previous_rung: row.previous_rung,
    trigger: row.trigger,
    reasons: JSON.parse(row.reasons) as ActionReasons,
    status: actionStatus(row, now),
    taken_at: row.taken_at,
    ends_at: row.ends_at,
    reversed_at: row.reversed_at,
    reversed_by: row.reversed_by,
    reversal_reason: row.reversal_reason,
    enforcement_version: row.enforcement_version,
  };
}

/** Scores are shown to four decimals; the stored value keeps full precision. */
export function roundScore(score: number): number {
  return Math.round(score * 10_000) / 10_000;
}
