import { z } from 'zod';
import { ALL_CATEGORIES, Conflict, InvalidInput, NotFound, type PageRequest, newId } from '../common/index.ts';
import { type ExemptionRow, type Queryable, afterKey } from '../db/index.ts';
import type { PolicyDocument } from '../policy/index.ts';
import { ACCOUNT_KINDS, lockAccounts } from './accounts.ts';
import { CHILD_SAFETY_CATEGORY, isChildSafetyClause } from './child-safety.ts';
import type { EnforceContext } from './context.ts';

export const exemptionInput = z
  .object({
    account: z.string().min(1).max(256),
    account_kind: z.enum(ACCOUNT_KINDS).default('user'),
    clause_ids: z.array(z.string().min(1).max(100)).max(100).default([]),
    categories: z.array(z.enum(ALL_CATEGORIES)).max(100).default([]),
    reason: z.string().min(1).max(2000),
    expires_at: z.string().datetime({ offset: true }),
  })
  .strict()
  .refine((input) => input.clause_ids.length + input.categories.length > 0, {
    message: 'name the clause_ids or categories the exemption covers',
    path: ['clause_ids'],
  });
export type ExemptionInput = z.infer<typeof exemptionInput>;

export interface Exemption {
  id: string;
  account_id: string;
  clause_ids: string[];
  categories: string[];
  expires_at: string;
  revoked_at: string | null;
}

/** Refuses, before anything is written, an exemption that names an unknown or child-safety clause. */
export function checkExemptionScope(input: ExemptionInput, document: PolicyDocument, now: Date): void {
  if (new Date(input.expires_at).getTime() <= now.getTime()) {
    throw new InvalidInput('expires_at must be in the future.', 'expires_at');
  }
  const clauses = new Map(document.clauses.map((c) => [c.id, c]));
  input.clause_ids.forEach((clauseId, index) => {
    const clause = clauses.get(clauseId);
    const param = `clause_ids[${index}]`;
    if (!clause) throw new InvalidInput(`Unknown clause "${clauseId}" in policy version ${document.version}.`, param, 'unknown_clause');
    if (isChildSafetyClause(clause)) {
      throw new InvalidInput(`Clause "${clauseId}" covers child safety (sexual/minors) and can never be exempted.`, param, 'child_safety_not_exemptable');
    }
  });
  const childSafety = input.categories.indexOf(CHILD_SAFETY_CATEGORY);
  if (childSafety >= 0) {
    throw new InvalidInput('sexual/minors can never be exempted.', `categories[${childSafety}]`, 'child_safety_not_exemptable');
  }
}

/** Grants the exemption (creating the account if the tenant has not sent an event for it yet). */
export async function grantExemption(context: EnforceContext, tenantId: string, input: ExemptionInput, actor: string): Promise<ExemptionRecord> {
  return context.store.db.transaction().execute(async (tx) => {
    const account = (await lockAccounts(tx, context, tenantId, [{ externalId: input.account, kind: input.account_kind }])).get(input.account)!;
    const row: ExemptionRow = {
      id: newId('exm'),
      tenant_id: tenantId,
      account_id: account.id,
      clause_ids: JSON.stringify(input.clause_ids),
      categories: JSON.stringify(input.categories),
      reason: input.reason,
      granted_by: actor,
      created_at: context.clock.now().toISOString(),
      expires_at: new Date(input.expires_at).toISOString(),
      revoked_at: null,
      revoked_by: null,
    };
    await tx.insertInto('exemptions').values(row).execute();
    await context.audit.append(tx, {
      tenantId,
      actor,
      action: 'exemption.granted',
      target: row.id,
      payload: { account: input.account, clause_ids: input.clause_ids, categories: input.categories, reason: input.reason, expires_at: row.expires_at },
    });
    return { ...row, account_external_id: account.external_id };
  });
}

export async function revokeExemption(context: EnforceContext, tenantId: string, id: string, actor: string): Promise<ExemptionRecord> {
  return context.store.db.transaction().execute(async (tx) => {
    const row = await getExemption(tx, tenantId, id);
    if (row.revoked_at) throw new Conflict(`Exemption ${id} was already revoked.`, 'id');
    const revokedAt = context.clock.now().toISOString();
    await tx.updateTable('exemptions').set({ revoked_at: revokedAt, revoked_by: actor }).where('id', '=', id).execute();
    await context.audit.append(tx, { tenantId, actor, action: 'exemption.revoked', target: id, payload: {} });
    return { ...row, revoked_at: revokedAt, revoked_by: actor };
  });
}

/** An exemption with the tenant's own id for its account. */
export type ExemptionRecord = ExemptionRow & { account_external_id: string };

function exemptionsOf(db: Queryable, tenantId: string) {
  return db
    .selectFrom('exemptions')
    .innerJoin('accounts', 'accounts.id', 'exemptions.account_id')
    .selectAll('exemptions')
    .select('accounts.external_id as account_external_id')
    .where('exemptions.tenant_id', '=', tenantId);
}

export async function getExemption(db: Queryable, tenantId: string, id: string): Promise<ExemptionRecord> {
  const row = await exemptionsOf(db, tenantId).where('exemptions.id', '=', id).executeTakeFirst();
  if (!row) throw new NotFound(`Exemption ${id}`, 'id');
  return row;
}

/** Oldest first: all of them, or a page (cursor: created_at, id). */
export async function listExemptions(db: Queryable, tenantId: string, accountId?: string, page: PageRequest = { limit: Number.MAX_SAFE_INTEGER }): Promise<ExemptionRecord[]> {
  let query = exemptionsOf(db, tenantId);
  if (accountId) query = query.where('exemptions.account_id', '=', accountId);
  if (page.after) query = query.where(afterKey(['exemptions.created_at', 'exemptions.id'], page.after));
  return query.orderBy('exemptions.created_at').orderBy('exemptions.id').limit(page.limit).execute();
}

/** The accounts' exemptions that apply now: not revoked and not expired. */
export async function activeExemptions(db: Queryable, accountIds: string[], now: Date): Promise<Exemption[]> {
  const rows = await db
    .selectFrom('exemptions')
    .select(['id', 'account_id', 'clause_ids', 'categories', 'expires_at', 'revoked_at'])
    .where('account_id', 'in', accountIds)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now.toISOString())
    .execute();
  return rows.map((row) => ({ ...row, clause_ids: JSON.parse(row.clause_ids) as string[], categories: JSON.parse(row.categories) as string[] }));
}

/** The exemption covering a violation, if any; child-safety violations are never covered. */
export function coveringExemption(exemptions: Exemption[], clauseId: string, category: string | null, childSafety: boolean): Exemption | null {
  if (childSafety) return null;
  return exemptions.find((e) => e.clause_ids.includes(clauseId) || (category !== null && e.categories.includes(category))) ?? null;
}

export function exemptionView(row: ExemptionRecord, now: Date) {
  const expired = new Date(row.expires_at).getTime() <= now.getTime();
  return {
    object: 'exemption' as const,
    id: row.id,
    account: row.account_external_id,
    clause_ids: JSON.parse(row.clause_ids) as string[],
    categories: JSON.parse(row.categories) as string[],
    reason: row.reason,
    granted_by: row.granted_by,
    created_at: row.created_at,
    expires_at: row.expires_at,
    revoked_at: row.revoked_at,
    status: row.revoked_at ? 'revoked' : expired ? 'expired' : 'active',
  };
}
