import { NotFound } from '../common/index.ts';
import type { Queryable, ReviewCaseRow } from '../db/index.ts';
import { isSensitive } from './allegations.ts';
import { type Reviewer, seesChildSafety } from './context.ts';

export const CASE_STATUSES = ['open', 'awaiting_confirmation', 'escalated', 'closed'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

/** A case the reviewer may see; another tenant's, or a child-safety case without that role, is a 404. */
export async function visibleCase(db: Queryable, reviewer: Reviewer, caseId: string): Promise<ReviewCaseRow> {
  const row = await db.selectFrom('review_cases').selectAll().where('tenant_id', '=', reviewer.tenantId).where('id', '=', caseId).executeTakeFirst();
  if (!row || (row.child_safety === 1 && !seesChildSafety(reviewer))) throw new NotFound(`Case ${caseId}`, 'id');
  return row;
}

export function leaseActive(row: ReviewCaseRow, now: Date): row is ReviewCaseRow & { lease_holder: string; lease_expires_at: string } {
  return row.lease_holder !== null && row.lease_expires_at !== null && row.lease_expires_at > now.toISOString();
}

/** A case as the API shows it; `content` only on the case page, never in the queue. */
export function caseView(row: ReviewCaseRow, now: Date, options: { content: boolean }) {
  const categories = JSON.parse(row.categories) as string[];
  return {
    object: 'review_case' as const,
    id: row.id,
    kind: row.kind,
    status: row.status,
    target: {
      type: row.target_type,
      account: row.account_external_id,
      app: row.app_id,
      content: row.target_type === 'content' ? { type: row.content_type, digest: row.content_digest, ref: row.content_ref, ...(options.content ? { text: row.content_text } : {}) } : null,
    },
    clause_ids: JSON.parse(row.clause_ids) as string[],
    categories,
    severity: row.severity,
    /** Blur the content until the reviewer chooses to see it. */
    sensitive: isSensitive(categories) || row.child_safety === 1,
    child_safety: row.child_safety === 1,
    classifier_score: row.classifier_score,
    report_count: row.report_count,
    priority: row.priority,
    sla_due_at: row.sla_due_at,
    overdue: row.status !== 'closed' && row.sla_due_at <= now.toISOString(),
    lease: leaseActive(row, now) ? { holder: row.lease_holder, expires_at: row.lease_expires_at } : null,
    appeal: row.appeal_id ? { id: row.appeal_id, statement: row.appeal_statement } : null,
    excluded_reviewers: JSON.parse(row.excluded_reviewers) as string[],
    created_at: row.created_at,
    updated_at: row.updated_at,
    closed_at: row.closed_at,
  };
}
export type CaseView = ReturnType<typeof caseView>;
