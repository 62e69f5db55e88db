import type { AccountRow, Queryable } from '../db/index.ts';
import { accountActions } from './accounts.ts';
import { actionView, roundScore } from './actions.ts';
import { accountAppeals, appealView } from './appeals.ts';
import type { StoredEnforcementPolicy } from './policy-versions.ts';
import { exemptionView, listExemptions } from './exemptions.ts';
import { isInForce, ladderLevel, levelInForce } from './ladder.ts';
import { type ClassifiedViolation, decayed } from './strikes.ts';

export const STANDING_EVENT_LIMIT = 100;

/**
 * An account's standing as of `now`: what applies to it and why (clause ids, events), the decayed
 * score, and its history. Child-safety evidence is never part of it.
 */
export async function accountStanding(db: Queryable, account: AccountRow, policy: StoredEnforcementPolicy, now: Date) {
  const [actions, events, exemptions, appeals] = await Promise.all([
    accountActions(db, account.id),
    db
      .selectFrom('enforcement_events')
      .select(['idempotency_key', 'source', 'occurred_at', 'recorded_at', 'violations', 'evidence', 'weight', 'child_safety', 'voided_at', 'voided_by', 'reviewer'])
      .where('account_id', '=', account.id)
      .orderBy('seq', 'desc')
      .limit(STANDING_EVENT_LIMIT)
      .execute(),
    listExemptions(db, account.tenant_id, account.id),
    accountAppeals(db, account.tenant_id, account.id),
  ]);
  const inForce = actions.filter((a) => isInForce(a, now));
  const suspension = inForce.find((a) => a.rung === 'suspended' || a.rung === 'terminated');
  return {
    object: 'account_standing' as const,
    account: { id: account.external_id, kind: account.kind, created_at: account.created_at },
    as_of: now.toISOString(),
    score: roundScore(decayed(account.score, new Date(account.score_at), now, policy.document.half_life_days)),
    rung: ladderLevel(actions),
    in_force: levelInForce(actions, now),
    suspension: suspension ? { action_id: suspension.id, rung: suspension.rung, ends_at: suspension.ends_at } : null,
    current_actions: inForce.map((a) => actionView(a, now)),
    actions: actions.map((a) => actionView(a, now)),
    events: events.map((e) => ({
      id: e.idempotency_key,
      source: e.source,
      occurred_at: e.occurred_at,
      recorded_at: e.recorded_at,
      violations: JSON.parse(e.violations) as ClassifiedViolation[],
      weight: e.weight,
      counted: e.weight > 0 && e.voided_at === null,
      voided_at: e.voided_at,
      voided_by: e.voided_by,
      reviewer: e.reviewer,
      child_safety: e.child_safety === 1,
      evidence: e.child_safety === 1 ? 'restricted to the child_safety role' : (JSON.parse(e.evidence ?? 'null') as unknown),
    })),
    exemptions: exemptions.map((e) => exemptionView(e, now)),
    appeals: appeals.map(appealView),
    enforcement_version: policy.version,
  };
}
