import { z } from 'zod';
import { Conflict, type Hooks, NotFound, newId } from '../common/index.ts';
import type { AppealRow, Queryable, Tx } from '../db/index.ts';
import { enqueueEvent } from '../notify/index.ts';
import { lockAccount, lockAccountById } from './accounts.ts';
import type { ActionReasons } from './actions.ts';
import type { EnforceContext } from './context.ts';
import type { EnforcementPolicy } from './enforcement-policy.ts';
import { findAction, reverseAction } from './reversal.ts';

export const APPEAL_STATES = ['open', 'upheld', 'overturned'] as const;

export const appealInput = z.object({ action_id: z.string().min(1).max(100), statement: z.string().min(1).max(10_000) }).strict();
export const appealDecisionInput = z.object({ outcome: z.enum(['upheld', 'overturned']), reason: z.string().min(1).max(2000) }).strict();
export type AppealInput = z.infer<typeof appealInput>;
export type AppealDecisionInput = z.infer<typeof appealDecisionInput>;

/** An appeal with the tenant's own id for its account. */
export type AppealRecord = AppealRow & { account_external_id: string };

/** A newly opened appeal, with the ids of the events behind the appealed action (a review decision's are `review:<case>`). */
export interface OpenedAppeal {
  tenantId: string;
  appealId: string;
  account: string;
  actionId: string;
  statement: string;
  actionEventIds: string[];
  actor: string;
}

/** Told, inside the transaction that opens it, of every new appeal (the app wires the review queue in; enforce does not import review). */
export type AppealOpenedHooks = Hooks<[tx: Tx, appeal: OpenedAppeal]>;

export async function openAppeal(
  context: EnforceContext,
  hooks: AppealOpenedHooks,
  tenantId: string,
  externalId: string,
  input: AppealInput,
  actor: string,
): Promise<AppealRecord> {
  return context.store.db.transaction().execute(async (tx) => {
    const account = await lockAccount(tx, context, tenantId, externalId);
    const action = await findAction(tx, tenantId, account.id, input.action_id, 'action_id');
    if (action.reversed_at) throw new Conflict(`Action ${action.id} was already reversed; there is nothing to appeal.`, 'action_id');
    const pending = await tx.selectFrom('appeals').select('id').where('action_id', '=', action.id).where('state', '=', 'open').executeTakeFirst();
    if (pending) throw new Conflict(`Action ${action.id} already has an open appeal (${pending.id}).`, 'action_id');
    const now = context.clock.now();
    const row: AppealRow = {
      id: newId('apl'),
      tenant_id: tenantId,
      account_id: account.id,
      action_id: action.id,
      statement: input.statement,
      state: 'open',
      opened_at: now.toISOString(),
      opened_by: actor,
      decided_at: null,
      decided_by: null,
      decision_reason: null,
    };
    await tx.insertInto('appeals').values(row).execute();
    const record = { ...row, account_external_id: account.external_id };
    await enqueueEvent(tx, { tenantId, type: 'appeal.opened', payload: appealView(record), at: now });
    await context.audit.append(tx, { tenantId, actor, action: 'appeal.opened', target: row.id, payload: { account: externalId, action_id: action.id } });
    const opened: OpenedAppeal = {
      tenantId,
      appealId: row.id,
      account: account.external_id,
      actionId: action.id,
      statement: row.statement,
      actionEventIds: (JSON.parse(action.reasons) as ActionReasons).event_ids,
      actor,
    };
    await hooks.run(tx, opened);
    return record;
  });
}

/** Upholding keeps the action; overturning reverses it (restoring the previous rung). Runs in the caller's transaction. */
export async function decideAppeal(
  tx: Tx,
  context: EnforceContext,
  policy: EnforcementPolicy,
  tenantId: string,
  appealId: string,
  input: AppealDecisionInput,
  actor: string,
): Promise<AppealRecord> {
  const appeal = await getAppeal(tx, tenantId, appealId);
  if (appeal.state !== 'open') throw new Conflict(`Appeal ${appealId} was already decided (${appeal.state}).`, 'id');
  const account = await lockAccountById(tx, context, tenantId, appeal.account_id);
  if (input.outcome === 'overturned') {
    const action = await findAction(tx, tenantId, account.id, appeal.action_id, 'id');
    if (!action.reversed_at) {
      await reverseAction(tx, context, policy, { tenantId, account, action, actor, reason: `appeal ${appealId} overturned: ${input.reason}` });
    }
  }
  const now = context.clock.now();
  const decided = { ...appeal, state: input.outcome, decided_at: now.toISOString(), decided_by: actor, decision_reason: input.reason };
  await tx
    .updateTable('appeals')
    .set({ state: decided.state, decided_at: decided.decided_at, decided_by: actor, decision_reason: input.reason })
    .where('id', '=', appealId)
    .execute();
  await enqueueEvent(tx, { tenantId, type: 'appeal.decided', payload: appealView(decided), at: now });
  await context.audit.append(tx, { tenantId, actor, action: 'appeal.decided', target: appealId, payload: { outcome: input.outcome, reason: input.reason, action_id: appeal.action_id } });
  return decided;
}

function appealsOf(db: Queryable, tenantId: string) {
  return db
    .selectFrom('appeals')
    .innerJoin('accounts', 'accounts.id', 'appeals.account_id')
    .selectAll('appeals')
    .select('accounts.external_id as account_external_id')
    .where('appeals.tenant_id', '=', tenantId);
}

export async function getAppeal(db: Queryable | Tx, tenantId: string, appealId: string): Promise<AppealRecord> {
  const row = await appealsOf(db, tenantId).where('appeals.id', '=', appealId).executeTakeFirst();
  if (!row) throw new NotFound(`Appeal ${appealId}`, 'id');
  return row;
}

export async function accountAppeals(db: Queryable, tenantId: string, accountId: string): Promise<AppealRecord[]> {
  return appealsOf(db, tenantId).where('appeals.account_id', '=', accountId).orderBy('appeals.opened_at').orderBy('appeals.id').execute();
}

export function appealView(row: AppealRecord) {
  return {
    object: 'appeal' as const,
    id: row.id,
    account: row.account_external_id,
    action_id: row.action_id,
    statement: row.statement,
    state: row.state,
    opened_at: row.opened_at,
    opened_by: row.opened_by,
    decided_at: row.decided_at,
    decided_by: row.decided_by,
    decision_reason: row.decision_reason,
  };
}
