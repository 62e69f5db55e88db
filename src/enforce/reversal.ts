import { Conflict, NotFound } from '../common/index.ts';
import type { AccountRow, EnforcementActionRow, EnforcementEventRow, Tx } from '../db/index.ts';
import { enqueueEvent } from '../notify/index.ts';
import { accountActions, lockAccountById } from './accounts.ts';
import { actionView } from './actions.ts';
import type { EnforceContext } from './context.ts';
import type { EnforcementPolicy, Level } from './enforcement-policy.ts';
import { ladderLevel } from './ladder.ts';
import { decayFactor } from './strikes.ts';

export async function findAction(tx: Tx, tenantId: string, accountId: string, actionId: string, param: string): Promise<EnforcementActionRow> {
  const action = await tx
    .selectFrom('enforcement_actions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('account_id', '=', accountId)
    .where('id', '=', actionId)
    .executeTakeFirst();
  if (!action) throw new NotFound(`Action ${actionId} of this account`, param);
  return action;
}

/**
 * Undoes an action: it stops applying, the strike of the event that triggered it is voided, and the
 * account falls back to the highest rung it still holds. `account` must be locked by the caller.
 */
export async function reverseAction(
  tx: Tx,
  context: EnforceContext,
  policy: EnforcementPolicy,
  input: { tenantId: string; account: AccountRow; action: EnforcementActionRow; actor: string; reason: string },
): Promise<{ action: EnforcementActionRow; restored: Level }> {
  const { account, action } = input;
  if (action.reversed_at) throw new Conflict(`Action ${action.id} was already reversed.`, 'actionId');
  const now = context.clock.now();
  const at = now.toISOString();
  const reversed = { ...action, reversed_at: at, reversed_by: input.actor, reversal_reason: input.reason };
  await tx.updateTable('enforcement_actions').set({ reversed_at: at, reversed_by: input.actor, reversal_reason: input.reason }).where('id', '=', action.id).execute();
  await tx.updateTable('enforcement_events').set({ voided_at: at, voided_by: action.id }).where('id', '=', action.event_id).where('voided_at', 'is', null).execute();
  await tx.updateTable('accounts').set({ score: await recomputedScore(tx, account.id, policy, now), score_at: at, updated_at: at }).where('id', '=', account.id).execute();
  const restored = ladderLevel(await accountActions(tx, account.id));
  const view = actionView(reversed, now);
  await enqueueEvent(tx, {
    tenantId: input.tenantId,
    type: 'account.action_reversed',
    payload: { account: account.external_id, action: view, restored_rung: restored, reason: input.reason },
    at: now,
  });
  await context.audit.append(tx, {
    tenantId: input.tenantId,
    actor: input.actor,
    action: 'enforcement.action_reversed',
    target: action.id,
    payload: { account: account.external_id, rung: action.rung, restored_rung: restored, reason: input.reason },
  });
  return { action: reversed, restored };
}

/** The account's score from its events that still count, each decayed from when it happened. */
async function recomputedScore(tx: Tx, accountId: string, policy: EnforcementPolicy, now: Date): Promise<number> {
  const events = await tx
    .selectFrom('enforcement_events')
    .select(['weight', 'occurred_at'])
    .where('account_id', '=', accountId)
    .where('voided_at', 'is', null)
    .where('weight', '>', 0)
    .execute();
  return events.reduce((sum, e) => sum + e.weight * decayFactor(new Date(e.occurred_at), now, policy.half_life_days), 0);
}

/**
 * Takes back an event that should not have counted: every action it triggered is reversed (which
 * voids its strike and restores the previous rung), and an event that triggered none is voided
 * alone. Reports it opened stay. Returns the reversed actions' ids.
 */
export async function retractEvent(
  tx: Tx,
  context: EnforceContext,
  policy: EnforcementPolicy,
  input: { tenantId: string; event: EnforcementEventRow; actor: string; reason: string },
): Promise<string[]> {
  const account = await lockAccountById(tx, context, input.tenantId, input.event.account_id);
  const actions = await tx.selectFrom('enforcement_actions').selectAll().where('event_id', '=', input.event.id).where('reversed_at', 'is', null).orderBy('seq').execute();
  for (const action of actions) await reverseAction(tx, context, policy, { tenantId: input.tenantId, account, action, actor: input.actor, reason: input.reason });
  if (actions.length === 0 && !input.event.voided_at) {
    const now = context.clock.now();
    const at = now.toISOString();
    await tx.updateTable('enforcement_events').set({ voided_at: at, voided_by: input.actor }).where('id', '=', input.event.id).execute();
    await tx.updateTable('accounts').set({ score: await recomputedScore(tx, account.id, policy, now), score_at: at, updated_at: at }).where('id', '=', account.id).execute();
    await context.audit.append(tx, {
      tenantId: input.tenantId,
      actor: input.actor,
      action: 'enforcement.event_voided',
      target: input.event.idempotency_key,
      payload: { account: account.external_id, reason: input.reason },
    });
  }
  return actions.map((a) => a.id);
}
