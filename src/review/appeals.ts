import { Conflict, newId } from '../common/index.ts';
import { type ReviewCaseRow, isUniqueViolation } from '../db/index.ts';
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
 * Puts an open enforcement appeal in the review queue. Whoever decided the review case behind the
 * appealed action is excluded from deciding the appeal.
 */
export async function routeAppeal(context: ReviewContext, tenantId: string, appealId: string, actor: string): Promise<RoutedAppeal> {
  const appeal = await context.enforcement.appeal(tenantId, appealId);
  if (appeal.state !== 'open') throw new Conflict(`Appeal ${appealId} was already decided (${appeal.state}).`, 'appeal_id');
  const targetKey = `appeal:${appeal.id}`;
  const existing = await openCaseFor(context, tenantId, targetKey);
  if (existing) return { caseId: existing.id, created: false };

  const origin = await originalCase(context, tenantId, appeal.account, appeal.action_id);
  const settings = await loadSettings(context.store.db, tenantId);
  const now = context.clock.now();
  const severity = (origin?.severity ?? 'medium') as Severity;
  const childSafety = origin?.child_safety === 1;
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
    appeal_id: appeal.id,
    appeal_statement: appeal.statement,
    excluded_reviewers: JSON.stringify(origin ? await decidersOf(context, origin.id) : []),
    created_at: now.toISOString(),
    updated_at: now.toISOString(),
    closed_at: null,
    source_ref: null,
  };
  try {
    await context.store.db.transaction().execute(async (tx) => {
      await tx.insertInto('review_cases').values(row).execute();
      await context.audit.append(tx, {
        tenantId,
        actor,
        action: 'review.appeal_routed',
        target: row.id,
        payload: { appeal: appeal.id, action_id: appeal.action_id, original_case: origin?.id ?? null, excluded_reviewers: JSON.parse(row.excluded_reviewers) as unknown },
      });
    });
  } catch (error) {
    const raced = isUniqueViolation(error) ? await openCaseFor(context, tenantId, targetKey) : undefined;
    if (!raced) throw error;
    return { caseId: raced.id, created: false };
  }
  return { caseId: row.id, created: true };
}

async function openCaseFor(context: ReviewContext, tenantId: string, targetKey: string) {
  return context.store.db.selectFrom('review_cases').select('id').where('tenant_id', '=', tenantId).where('open_target_key', '=', targetKey).executeTakeFirst();
}

/** The review case whose decision produced the appealed action, found through the action's event ids. */
async function originalCase(context: ReviewContext, tenantId: string, account: string, actionId: string): Promise<ReviewCaseRow | undefined> {
  const standing = await context.enforcement.standing(tenantId, account);
  const action = standing.actions.find((a) => a.id === actionId);
  const caseIds = (action?.reasons.event_ids ?? []).filter((id) => id.startsWith('review:')).map((id) => id.slice('review:'.length));
  if (caseIds.length === 0) return undefined;
  return context.store.db.selectFrom('review_cases').selectAll().where('tenant_id', '=', tenantId).where('id', 'in', caseIds).executeTakeFirst();
}

async function decidersOf(context: ReviewContext, caseId: string): Promise<string[]> {
  const rows = await context.store.db.selectFrom('review_decisions').select('reviewer').where('case_id', '=', caseId).execute();
  return [...new Set(rows.map((r) => r.reviewer))];
}
