import { newId } from '../common/index.ts';
import type { AccountRow, EnforcementActionRow, Tx } from '../db/index.ts';
import { enqueueEvent } from '../notify/index.ts';
import type { EnforceContext } from './context.ts';
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

/** Records an action on the ladder, announces it through the outbox and audits it, all in `tx`. */
export async function takeAction(tx: Tx, context: EnforceContext, action: NewAction): Promise<EnforcementActionRow> {
  const now = context.clock.now();
  const reasons: ActionReasons = {
    clause_ids: action.escalation.clauseIds,
    event_ids: [action.eventId],
    score: roundScore(action.score),
    threshold: action.escalation.threshold,
  };
  const values = {
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
  const { seq } = await tx.insertInto('enforcement_actions').values(values).returning('seq').executeTakeFirstOrThrow();
  const row: EnforcementActionRow = { ...values, seq };
  const view = actionView(row, now);
  await enqueueEvent(tx, { tenantId: action.tenantId, type: 'account.action_taken', payload: { account: action.account.external_id, action: view }, at: now });
  await context.audit.append(tx, {
    tenantId: action.tenantId,
    actor: action.actor,
    action: 'enforcement.action_taken',
    target: row.id,
    payload: { account: action.account.external_id, rung: row.rung, previous_rung: row.previous_rung, trigger: row.trigger, reasons, ends_at: row.ends_at },
  });
  return row;
}

export type ActionStatus = 'in_force' | 'ended' | 'reversed';

export function actionStatus(row: EnforcementActionRow, now: Date): ActionStatus {
  if (row.reversed_at) return 'reversed';
  return isInForce(row, now) ? 'in_force' : 'ended';
}

export function actionView(row: EnforcementActionRow, now: Date) {
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
