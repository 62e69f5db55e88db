import { NotFound, newId } from '../common/index.ts';
import { type AccountRow, type EnforcementActionRow, type Queryable, type Tx, forUpdate } from '../db/index.ts';
import type { EnforceContext } from './context.ts';

export const ACCOUNT_KINDS = ['user', 'developer', 'app'] as const;
export type AccountKind = (typeof ACCOUNT_KINDS)[number];

/** Rows or ids per statement: well under both databases' limits on bound parameters. */
export const CHUNK = 500;

/**
 * Creates the tenant's accounts that do not exist yet and locks every one of them for the rest of
 * the transaction, in a fixed order so two transactions never wait on each other. On PostgreSQL the
 * row lock serialises everything that changes an account's standing across server processes; SQLite
 * serialises writers itself.
 */
export async function lockAccounts(
  tx: Tx,
  context: EnforceContext,
  tenantId: string,
  wanted: { externalId: string; kind: AccountKind }[],
): Promise<Map<string, AccountRow>> {
  const kinds = new Map(wanted.map((w) => [w.externalId, w.kind]));
  const externalIds = [...kinds.keys()].sort();
  const at = context.clock.now().toISOString();
  const locked = new Map<string, AccountRow>();
  for (let i = 0; i < externalIds.length; i += CHUNK) {
    const chunk = externalIds.slice(i, i + CHUNK);
    await tx
      .insertInto('accounts')
      .values(chunk.map((externalId) => ({ id: newId('acct'), tenant_id: tenantId, external_id: externalId, kind: kinds.get(externalId)!, score: 0, score_at: at, created_at: at, updated_at: at })))
      .onConflict((oc) => oc.columns(['tenant_id', 'external_id']).doNothing())
      .execute();
    const query = tx.selectFrom('accounts').selectAll().where('tenant_id', '=', tenantId).where('external_id', 'in', chunk).orderBy('external_id');
    for (const row of await forUpdate(context.store, query).execute()) locked.set(row.external_id, row);
  }
  return locked;
}

export async function lockAccount(tx: Tx, context: EnforceContext, tenantId: string, externalId: string): Promise<AccountRow> {
  const query = tx.selectFrom('accounts').selectAll().where('tenant_id', '=', tenantId).where('external_id', '=', externalId);
  const row = await forUpdate(context.store, query).executeTakeFirst();
  if (!row) throw accountNotFound(externalId);
  return row;
}

export async function findAccount(db: Queryable, tenantId: string, externalId: string): Promise<AccountRow> {
  const row = await db.selectFrom('accounts').selectAll().where('tenant_id', '=', tenantId).where('external_id', '=', externalId).executeTakeFirst();
  if (!row) throw accountNotFound(externalId);
  return row;
}

export function accountNotFound(externalId: string): NotFound {
  return new NotFound(`Account "${externalId}"`, 'id');
}

export async function accountActions(db: Queryable, accountId: string): Promise<EnforcementActionRow[]> {
  return db.selectFrom('enforcement_actions').selectAll().where('account_id', '=', accountId).orderBy('seq').execute();
}

export async function lockAccountById(tx: Tx, context: EnforceContext, tenantId: string, accountId: string): Promise<AccountRow> {
  const query = tx.selectFrom('accounts').selectAll().where('tenant_id', '=', tenantId).where('id', '=', accountId);
  return forUpdate(context.store, query).executeTakeFirstOrThrow();
}
