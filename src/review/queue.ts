import { z } from 'zod';
import { ALL_CATEGORIES } from '../common/index.ts';
import { type ReviewCaseRow, containsText } from '../db/index.ts';
import { clauseId } from '../policy/index.ts';
import { CASE_STATUSES, caseView, visibleCase } from './cases.ts';
import { type ReviewContext, type Reviewer, seesChildSafety } from './context.ts';
import type { ClassifierView, ReportEvidence } from './intake.ts';

/** Up to a century: further back than any case, and still a date an ISO string can hold. */
const ageMinutes = z.coerce.number().int().min(0).max(100 * 366 * 24 * 60);

export const queueFilters = z
  .object({
    clause: clauseId.optional(),
    category: z.enum(ALL_CATEGORIES).optional(),
    /** `unresolved` (default) is every status but closed. */
    status: z.enum([...CASE_STATUSES, 'unresolved']).default('unresolved'),
    kind: z.enum(['report', 'automatic', 'store', 'appeal']).optional(),
    /** Only cases at least this many minutes old. */
    min_age_minutes: ageMinutes.optional(),
    /** Only cases at most this many minutes old. */
    max_age_minutes: ageMinutes.optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();
export type QueueFilters = z.infer<typeof queueFilters>;

/** The reviewer's queue: most urgent first (priority, then SLA deadline), with counts by status. */
export async function listQueue(context: ReviewContext, reviewer: Reviewer, filters: QueueFilters) {
  const now = context.clock.now();
  let query = context.store.db.selectFrom('review_cases').where('tenant_id', '=', reviewer.tenantId);
  if (!seesChildSafety(reviewer)) query = query.where('child_safety', '=', 0);
  // The JSON arrays hold each id in quotes, so the quoted id matches the whole element only.
  if (filters.clause) query = query.where(containsText('clause_ids', JSON.stringify(filters.clause)));
  if (filters.category) query = query.where(containsText('categories', JSON.stringify(filters.category)));
  if (filters.kind) query = query.where('kind', '=', filters.kind);
  if (filters.min_age_minutes !== undefined) query = query.where('created_at', '<=', minutesAgo(now, filters.min_age_minutes));
  if (filters.max_age_minutes !== undefined) query = query.where('created_at', '>=', minutesAgo(now, filters.max_age_minutes));

  const counts = await query.select(['status', (eb) => eb.fn.countAll<number | string>().as('n')]).groupBy('status').execute();
  const byStatus = Object.fromEntries(CASE_STATUSES.map((s) => [s, 0])) as Record<string, number>;
  for (const row of counts) byStatus[row.status] = Number(row.n);

  const listed = filters.status === 'unresolved' ? query.where('status', '!=', 'closed') : query.where('status', '=', filters.status);
  const rows: ReviewCaseRow[] = await listed.selectAll().orderBy('priority', 'desc').orderBy('sla_due_at').orderBy('created_at').limit(filters.limit).execute();
  const unresolved = byStatus.open! + byStatus.awaiting_confirmation! + byStatus.escalated!;
  return {
    object: 'list' as const,
    counts: { ...byStatus, unresolved, total: unresolved + byStatus.closed! },
    data: rows.map((row) => caseView(row, now, { content: false })),
  };
}

function minutesAgo(now: Date, minutes: number): string {
  return new Date(now.getTime() - minutes * 60_000).toISOString();
}

/** Everything the case page shows: content, reports, decisions, cited clauses with their text, and the account's standing. */
export async function caseDetail(context: ReviewContext, reviewer: Reviewer, caseId: string) {
  const row = await visibleCase(context.store.db, reviewer, caseId);
  const now = context.clock.now();
  const [reports, decisions, policy] = await Promise.all([
    context.store.db.selectFrom('review_reports').selectAll().where('case_id', '=', row.id).orderBy('created_at').execute(),
    context.store.db.selectFrom('review_decisions').selectAll().where('case_id', '=', row.id).orderBy('decided_at').execute(),
    context.policies.current(reviewer.tenantId),
  ]);
  const cited = new Set([...(JSON.parse(row.clause_ids) as string[]), ...decisions.flatMap((d) => JSON.parse(d.clause_ids) as string[])]);
  const account = row.account_external_id ?? row.app_id;
  const standing = account ? await context.enforcement.standing(reviewer.tenantId, account).catch(() => null) : null;
  return {
    ...caseView(row, now, { content: true }),
    classifier: row.classifier ? (JSON.parse(row.classifier) as ClassifierView) : null,
    reports: reports.map((r) => ({
      id: r.id,
      source: r.source,
      reporter: r.reporter,
      clause_id: r.clause_id,
      category: r.category,
      text: r.text,
      evidence: JSON.parse(r.evidence) as ReportEvidence,
      created_at: r.created_at,
    })),
    decisions: decisions.map(decisionView),
    clauses: policy.document.clauses
      .filter((c) => cited.has(c.id))
      .map((c) => ({ id: c.id, title: c.title, section: c.section, text: c.text, severity: c.severity, categories: c.categories })),
    policy_version: policy.summary.version,
    standing,
  };
}

export function decisionView(row: { id: string; case_id: string; reviewer: string; stage: string; outcome: string; clause_ids: string; category: string | null; notes: string | null; agrees_with: string | null; enforcement_event_id: string | null; decided_at: string }) {
  return {
    object: 'review_decision' as const,
    id: row.id,
    case_id: row.case_id,
    reviewer: row.reviewer,
    stage: row.stage,
    outcome: row.outcome,
    clause_ids: JSON.parse(row.clause_ids) as string[],
    category: row.category,
    notes: row.notes,
    agrees_with: row.agrees_with,
    enforcement_event_id: row.enforcement_event_id,
    decided_at: row.decided_at,
  };
}
