import type { AuditEntry } from '../audit/index.ts';
import { Conflict, NotFound, type PageRequest, canonicalJson, newId } from '../common/index.ts';
import { type ChildSafetyReportRow, type Queryable, type Tx, afterKey } from '../db/index.ts';
import type { Clause } from '../policy/index.ts';
import type { EnforceContext } from './context.ts';

export const CHILD_SAFETY_CATEGORY = 'sexual/minors';

/** A clause enforced through sexual/minors: it can never be exempted. */
export function isChildSafetyClause(clause: Clause): boolean {
  return clause.categories.includes(CHILD_SAFETY_CATEGORY) || CHILD_SAFETY_CATEGORY in (clause.severity_overrides ?? {});
}

/** A violation found under sexual/minors, or of a clause that is about nothing else. */
export function isChildSafetyViolation(clause: Clause, category: string | null): boolean {
  if (category !== null) return category === CHILD_SAFETY_CATEGORY;
  return clause.categories.length > 0 && clause.categories.every((c) => c === CHILD_SAFETY_CATEGORY);
}

export interface NewReport {
  tenantId: string;
  tenantName: string;
  accountId: string;
  accountExternalId: string;
  eventId: string;
  incidentAt: string;
  contentDigest: string | null;
  contentType: string | null;
  detectionSource: string;
  reviewer: string | null;
  clauseIds: string[];
  evidence: unknown;
}

/**
 * Plans the mandatory report (the fields a CyberTipline-style report needs) with the evidence under a
 * retention hold (the database refuses to delete it), and its audit entry, which names the report but
 * never its evidence.
 */
export function planReport(now: Date, report: NewReport, actor: string): { row: ChildSafetyReportRow; audit: AuditEntry } {
  const row: ChildSafetyReportRow = {
    id: newId('csr'),
    tenant_id: report.tenantId,
    tenant_name: report.tenantName,
    account_id: report.accountId,
    account_external_id: report.accountExternalId,
    event_id: report.eventId,
    incident_at: report.incidentAt,
    content_digest: report.contentDigest,
    content_type: report.contentType,
    detection_source: report.detectionSource,
    reviewer: report.reviewer,
    clause_ids: JSON.stringify(report.clauseIds),
    evidence: canonicalJson(report.evidence ?? null),
    status: 'pending_submission',
    external_report_id: null,
    submitted_at: null,
    submitted_by: null,
    retention_hold: 1,
    created_at: now.toISOString(),
    confirmation: null,
    confirmation_by: null,
    confirmation_at: null,
  };
  const audit: AuditEntry = {
    tenantId: report.tenantId,
    actor,
    action: 'child_safety.report_opened',
    target: row.id,
    payload: { account: report.accountExternalId, event: report.eventId, clause_ids: report.clauseIds },
  };
  return { row, audit };
}

export function reportView(row: ChildSafetyReportRow) {
  return {
    object: 'child_safety_report' as const,
    id: row.id,
    status: row.status,
    incident_at: row.incident_at,
    tenant: { id: row.tenant_id, name: row.tenant_name },
    account: { id: row.account_external_id, internal_id: row.account_id },
    event_id: row.event_id,
    content: { digest: row.content_digest, type: row.content_type },
    detection_source: row.detection_source,
    reviewer: row.reviewer,
    clause_ids: JSON.parse(row.clause_ids) as string[],
    evidence: JSON.parse(row.evidence) as unknown,
    retention_hold: row.retention_hold === 1,
    external_report_id: row.external_report_id,
    submitted_at: row.submitted_at,
    submitted_by: row.submitted_by,
    created_at: row.created_at,
    /** A reviewer's finding awaiting, or settled by, a second reviewer; null for other sources. */
    confirmation: row.confirmation ? { state: row.confirmation, by: row.confirmation_by, at: row.confirmation_at } : null,
  };
}

/** Newest first, a page at a time (cursor: created_at, id). */
export async function listReports(db: Queryable, tenantId: string, options: PageRequest & { status?: string }): Promise<ChildSafetyReportRow[]> {
  let query = db.selectFrom('child_safety_reports').selectAll().where('tenant_id', '=', tenantId);
  if (options.status) query = query.where('status', '=', options.status);
  if (options.after) query = query.where(afterKey(['created_at', 'id'], options.after, 'desc'));
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(options.limit).execute();
}

export async function getReport(db: Queryable, tenantId: string, id: string): Promise<ChildSafetyReportRow> {
  const row = await db.selectFrom('child_safety_reports').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFound(`Child-safety report ${id}`, 'id');
  return row;
}

/** Records that the report was filed with the clearinghouse (e.g. NCMEC's CyberTipline) under its reference. */
export async function recordSubmission(
  context: EnforceContext,
  tenantId: string,
  id: string,
  input: { external_report_id: string },
  actor: string,
): Promise<ChildSafetyReportRow> {
  return context.store.db.transaction().execute(async (tx) => {
    const row = await getReport(tx, tenantId, id);
    if (row.status === 'submitted') throw new Conflict(`Report ${id} was already submitted as ${row.external_report_id}.`, 'id');
    const submittedAt = context.clock.now().toISOString();
    await tx
      .updateTable('child_safety_reports')
      .set({ status: 'submitted', external_report_id: input.external_report_id, submitted_at: submittedAt, submitted_by: actor })
      .where('id', '=', id)
      .execute();
    await context.audit.append(tx, { tenantId, actor, action: 'child_safety.report_submitted', target: id, payload: { external_report_id: input.external_report_id } });
    return { ...row, status: 'submitted', external_report_id: input.external_report_id, submitted_at: submittedAt, submitted_by: actor };
  });
}

export const CONFIRMATION_STATES = ['pending', 'confirmed', 'unconfirmed'] as const;
export type ConfirmationState = (typeof CONFIRMATION_STATES)[number];

/**
 * Records where a second review left the reports an event opened. Only the confirmation changes:
 * an unconfirmed report and its evidence stay, under their retention hold.
 */
export async function settleReports(
  tx: Tx,
  context: EnforceContext,
  input: { tenantId: string; eventInternalId: string; state: ConfirmationState; reviewer: string | null; actor: string },
): Promise<string[]> {
  const at = input.state === 'pending' ? null : context.clock.now().toISOString();
  const reports = await tx.selectFrom('child_safety_reports').select('id').where('tenant_id', '=', input.tenantId).where('event_id', '=', input.eventInternalId).execute();
  if (reports.length === 0) return [];
  const ids = reports.map((r) => r.id);
  await tx.updateTable('child_safety_reports').set({ confirmation: input.state, confirmation_by: input.reviewer, confirmation_at: at }).where('id', 'in', ids).execute();
  await context.audit.appendMany(
    tx,
    ids.map((id) => ({ tenantId: input.tenantId, actor: input.actor, action: `child_safety.report_${input.state}`, target: id, payload: { event: input.eventInternalId, reviewer: input.reviewer } })),
  );
  return ids;
}
