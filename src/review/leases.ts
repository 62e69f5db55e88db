import { Conflict, Forbidden } from '../common/index.ts';
import type { ReviewCaseRow } from '../db/index.ts';
import { leaseActive, visibleCase } from './cases.ts';
import type { ReviewContext, Reviewer } from './context.ts';
import { loadSettings } from './settings.ts';

/**
 * Gives the reviewer a lease on the case. The lease is taken by one conditional UPDATE (free,
 * expired, or already this reviewer's): of two reviewers racing, the database lets exactly one
 * row change, and the other is refused. An expired lease returns the case to the queue.
 */
export async function claimCase(context: ReviewContext, reviewer: Reviewer, caseId: string): Promise<ReviewCaseRow> {
  const row = await visibleCase(context.store.db, reviewer, caseId);
  await assertMayDecide(context, reviewer, row);
  const settings = await loadSettings(context.store.db, reviewer.tenantId);
  const now = context.clock.now();
  const nowIso = now.toISOString();
  const expiresAt = new Date(now.getTime() + settings.lease_minutes * 60_000).toISOString();
  return context.store.db.transaction().execute(async (tx) => {
    const result = await tx
      .updateTable('review_cases')
      .set({ lease_holder: reviewer.actor, lease_expires_at: expiresAt, updated_at: nowIso })
      .where('id', '=', row.id)
      .where('tenant_id', '=', reviewer.tenantId)
      .where('status', '=', row.status)
      .where((eb) => eb.or([eb('lease_holder', 'is', null), eb('lease_expires_at', '<=', nowIso), eb('lease_holder', '=', reviewer.actor)]))
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) {
      const current = await visibleCase(tx, reviewer, caseId);
      throw new Conflict(
        current.status !== row.status ? `Case ${caseId} changed while claiming it (now ${current.status}).` : `Case ${caseId} is held by another reviewer until ${current.lease_expires_at}.`,
        'id',
      );
    }
    await context.audit.append(tx, { tenantId: reviewer.tenantId, actor: reviewer.actor, action: 'review.case_claimed', target: row.id, payload: { expires_at: expiresAt } });
    return { ...row, lease_holder: reviewer.actor, lease_expires_at: expiresAt, updated_at: nowIso };
  });
}

/** Hands a held case back to the queue before its lease runs out. */
export async function releaseCase(context: ReviewContext, reviewer: Reviewer, caseId: string): Promise<ReviewCaseRow> {
  const row = await visibleCase(context.store.db, reviewer, caseId);
  const now = context.clock.now();
  if (!leaseActive(row, now) || row.lease_holder !== reviewer.actor) throw new Conflict(`You do not hold case ${caseId}.`, 'id');
  return context.store.db.transaction().execute(async (tx) => {
    const result = await tx
      .updateTable('review_cases')
      .set({ lease_holder: null, lease_expires_at: null, updated_at: now.toISOString() })
      .where('id', '=', row.id)
      .where('lease_holder', '=', reviewer.actor)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) throw new Conflict(`You do not hold case ${caseId}.`, 'id');
    await context.audit.append(tx, { tenantId: reviewer.tenantId, actor: reviewer.actor, action: 'review.case_released', target: row.id, payload: {} });
    return { ...row, lease_holder: null, lease_expires_at: null };
  });
}

/** Who may take a case at its stage: a second reviewer confirms, a senior resolves escalations, appeals go to someone new. */
export async function assertMayDecide(context: ReviewContext, reviewer: Reviewer, row: ReviewCaseRow): Promise<void> {
  if (row.status === 'closed') throw new Conflict(`Case ${row.id} is closed.`, 'id');
  if ((JSON.parse(row.excluded_reviewers) as string[]).includes(reviewer.actor)) {
    throw new Forbidden(`You decided the case this appeal is against; another reviewer must decide the appeal.`);
  }
  if (row.status === 'escalated' && reviewer.role === 'reviewer') {
    throw new Forbidden('An escalated case is decided by an admin (or the child_safety role for child-safety cases).');
  }
  if (row.status === 'awaiting_confirmation') {
    const primary = await context.store.db
      .selectFrom('review_decisions')
      .select('reviewer')
      .where('case_id', '=', row.id)
      .where('stage', '=', 'primary')
      .orderBy('decided_at', 'desc')
      .executeTakeFirst();
    if (primary?.reviewer === reviewer.actor) throw new Forbidden('A second reviewer must confirm this decision; you made it.');
  }
}
