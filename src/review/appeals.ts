import { Conflict, newId } from '../common/index.ts';
import { type Queryable, type ReviewCaseRow, type Tx, isUniqueViolation } from '../db/index.ts';
import type { OpenedAppeal } from '../enforce/index.ts';
import type { Severity } from '../policy/index.ts';
import type { ReviewContext } from './context.ts';
import { priorityOf, slaDeadline } from './priority.ts';
import { loadSettings } from './settings.ts';

/** The case an appeal became: new, or the one it already is. */
export interface RoutedAppeal {
  caseId: string;
  created: boolean;
}

/**
 * Puts an open enforcement appeal in the review queue, unless it is there already (appeals are queued
 * when opened; this is for those opened before that, and is idempotent).
 */
export async function routeAppeal(context: ReviewContext, tenantId: string, appealId: string, actor: string): Promise<RoutedAppeal> {
  const appeal = await context.enforcement.appeal(tenantId, appealId);
  if (appeal.state !== 'open') throw new Conflict(`Appeal ${appealId} was already decided (${appeal.state}).`, 'appeal_id');
  const existing = await openCaseFor(context.store.db, tenantId, appealTargetKey(appeal.id));
  if (existing) return { caseId: existing.id, created: false };

  const standing = await context.enforcement.standing(tenantId, appeal.account);
  const action = standing.actions.find((a) => a.id === appeal.action_id);
  const opened: OpenedAppeal = {
    tenantId,
    appealId: appeal.id,
    account: appeal.account,
    actionId: appeal.action_id,
    statement: appeal.statement,
    actionEventIds: action?.reasons.event_ids ?? [],
    actor,
  };
  try {
    const caseId = await context.store.db.transaction().execute((tx) => insertAppealCase(tx, context, opened));
    return { caseId, created: true };
  } catch (error) {
    const raced = isUniqueViolation(error) ? await openCaseFor(context.store.db, tenantId, appealTargetKey(appeal.id)) : undefined;
    if (!raced) throw error;
    return { caseId: raced.id, created: false };
  }
}

/** The appeal-opened hook: queues a new appeal in the transaction that opens it. */
export async function queueOpenedAppeal(tx: Tx, context: ReviewContext, appeal: OpenedAppeal): Promise<RoutedAppeal> {
  const existing = await openCaseFor(tx, appeal.tenantId, appealTargetKey(appeal.appealId));
  if (existing) return { caseId: existing.id, created: false };
  return { caseId: await insertAppealCase(tx, context, appeal), created: true };
}

function appealTargetKey(appealId: string): string {
  return `appeal:${appealId}`;
}

/** Opens the appeal's case. Whoever decided the review case behind the appealed action is excluded from deciding it. */
async function insertAppealCase(tx: Tx, context: ReviewContext, appeal: OpenedAppeal): Promise<string> {
  const { tenantId } = appeal;
  const targetKey = appealTargetKey(appeal.appealId);
  const origin = await originalCase(tx, tenantId, appeal.actionEventIds);
  const settings = await loadSettings(tx, tenantId);
  const now = context.clock.now();
  const severity = (origin?.severity ?? 'medium') as Severity;
  const childSafety = origin?.child_safety === 1;
  const excludedReviewers = origin ? await decidersOf(tx, origin.id) : [];
  const row: ReviewCaseRow = {
    id: newId('case'),
    tenant_id: tenantId,
    kind: 'appeal',
    target_type: origin?.target_type ?? 'account',
    target_key: targetKey,
    open_target_key: targetKey,
    account_external_id: appeal.account,
    app_id: origin?.app_id ?? null,
    content_text: origin?.content_text ?? null,
    content_ref: origin?.content_ref ?? null,
    content_type: origin?.content_type ?? null,
    content_digest: origin?.content_digest ?? null,
    clause_ids: origin?.clause_ids ?? '[]',
    categories: origin?.categories ?? '[]',
    severity,
    classifier_score: origin?.classifier_score ?? null,
    classifier: origin?.classifier ?? null,
    report_count: origin?.report_count ?? 0,
    priority: priorityOf({ severity, classifierScore: origin?.classifier_score ?? null, reportCount: 1, childSafety }),
    child_safety: childSafety ? 1 : 0,
    status: 'open',
    sla_due_at: slaDeadline(now, severity, childSafety, settings.sla_hours).toISOString(),
    lease_holder: null,
    lease_expires_at: null,
    appeal_id: appeal.appealId,
    appeal_statement: appeal.statement,
    excluded_reviewers: JSON.stringify(excludedReviewers),
    created_at: now.toISOString(),
    updated_at: now.toISOString(),
    closed_at: null,
    source_ref: null,
  };
  await tx.insertInto('review_cases').values(row).execute();
  await context.audit.append(tx, {
    tenantId,
    actor: appeal.actor,
    action: 'review.appeal_routed',
    target: row.id,
    payload: { appeal: appeal.appealId, action_id: appeal.actionId, original_case: origin?.id ?? null, excluded_reviewers: excludedReviewers },
  });
  return row.id;
}

async function openCaseFor(db: Queryable, tenantId: string, targetKey: string) {
  return db.selectFrom('review_cases').select('id').where('tenant_id', '=', tenantId).where('open_target_key', '=', targetKey).executeTakeFirst();
}

/** The review case whose decision produced the appealed action, found through the action's event ids. */
async function originalCase(db: Queryable, tenantId: string, actionEventIds: string[]): Promise<ReviewCaseRow | undefined> {
  // A review decision's event id is `review:<case>`, or `review:<case>:escalation` when it escalated.
  const caseIds = actionEventIds.filter((id) => id.startsWith('review:')).map((id) => id.split(':')[1]!);
  if (caseIds.length === 0) return undefined;
  return db.selectFrom('review_cases').selectAll().where('tenant_id', '=', tenantId).where('id', 'in', caseIds).executeTakeFirst();
}

async function decidersOf(db: Queryable, caseId: string): Promise<string[]> {
  const rows = await db.selectFrom('review_decisions').select('reviewer').where('case_id', '=', caseId).execute();
  return [...new Set(rows.map((r) => r.reviewer))];
}
