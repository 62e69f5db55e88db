import { canonicalJson, sha256Hex } from '../common/index.ts';
import type { Tx } from '../db/index.ts';
import type { PolicyDocument } from '../policy/index.ts';
import { type Allegation, assessAllegation } from './allegations.ts';
import type { ReviewContext } from './context.ts';
import { type FiledReport, fileIntakeIn } from './intake.ts';
import { maxSeverity } from './priority.ts';

/** A store submission its rules could not settle, as the store hands it to review. */
export interface SubmissionForReview {
  tenantId: string;
  submissionId: string;
  appId: string;
  /** Who submitted it, or the job that re-reviewed it. */
  actor: string;
  /** The policy it was judged against: clause IDs and severities come from it. */
  policy: PolicyDocument;
  /** Why a person must look: each reason cites a clause and points at a field. */
  reasons: { clause_id: string; field: string; reason: string; excerpt: string | null }[];
  /** The submission's texts, so the reviewer reads what they judge. */
  fields: { field: string; text: string }[];
  /** Told back, with the finding, when the case closes (see ReviewDesk.caseClosed). */
  sourceRef: string;
}

/**
 * Opens (or joins) the app's review case for a submission that needs a person, inside the store's
 * own transaction: a submission never waits for a review that was not queued.
 */
export async function queueSubmissionReview(tx: Tx, context: ReviewContext, input: SubmissionForReview): Promise<FiledReport> {
  const allegation = submissionAllegation(input);
  // A re-review may send the same submission back with other reasons: each verdict files its own report.
  const bodyDigest = sha256Hex(canonicalJson({ reasons: input.reasons, fields: input.fields }));
  return fileIntakeIn(tx, context, {
    tenantId: input.tenantId,
    idempotencyKey: `${input.sourceRef}:${bodyDigest}`,
    bodyDigest,
    source: 'store',
    reporter: 'store_rules',
    submittedBy: input.actor,
    target: { app: input.appId },
    allegation,
    clauseId: allegation.clauseIds[0] ?? null,
    category: null,
    text: input.reasons.map((r) => `${r.clause_id} (${r.field}): ${r.reason}`).join('\n'),
    evidence: input.fields.filter((f) => f.text.length > 0).map((f) => ({ type: 'text', value: f.text, note: f.field })),
    classifier: null,
    sourceRef: input.sourceRef,
  });
}

function submissionAllegation(input: SubmissionForReview): Allegation {
  const parts = [...new Set(input.reasons.map((r) => r.clause_id))].map((clauseId) => assessAllegation(input.policy, clauseId, null));
  return {
    clauseIds: parts.flatMap((p) => p.clauseIds),
    categories: [],
    severity: maxSeverity(parts.map((p) => p.severity)),
    childSafety: false,
  };
}
