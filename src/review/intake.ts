import { z } from 'zod';
import { ALL_CATEGORIES, Conflict, PayloadTooLarge, canonicalJson, newId, sha256Hex } from '../common/index.ts';
import { type ReviewCaseRow, type Tx, forUpdate, withTransaction } from '../db/index.ts';
import { type Allegation, assessAllegation } from './allegations.ts';
import type { FollowUpResult } from '../moderation/index.ts';
import type { ReviewContext } from './context.ts';
import { maxSeverity, priorityOf, slaDeadline } from './priority.ts';
import { type ReviewSettings, loadSettings } from './settings.ts';

/** Evidence attached to one report, JSON-encoded, may not exceed this. */
export const MAX_EVIDENCE_BYTES = 64 * 1024;

/**
 * Text a case carries for the reviewer, held to the evidence limit: a longer text is cut (never
 * inside a character) and says so. Its digest, taken from the whole text, still names it.
 */
export function withinEvidenceLimit(text: string): string {
  const bytes = Buffer.from(text);
  if (bytes.length <= MAX_EVIDENCE_BYTES) return text;
  const note = `\n[truncated: ${bytes.length} bytes, the first ${MAX_EVIDENCE_BYTES / 1024} KiB shown]`;
  const kept = bytes.subarray(0, MAX_EVIDENCE_BYTES - Buffer.byteLength(note)).toString('utf8').replace(/\uFFFD+$/, '');
  return kept + note;
}

const contentTarget = z
  .object({
    text: z.string().min(1).max(100_000).optional(),
    ref: z.string().min(1).max(500).optional(),
    /** sha256 (hex) of the text, when the reporter has only that (e.g. from a moderation call). */
    digest: z.string().regex(/^[a-f0-9]{64}$/, 'a sha256 digest in hex').optional(),
    type: z.enum(['text', 'image']).default('text'),
  })
  .strict()
  .refine((c) => c.text !== undefined || c.ref !== undefined || c.digest !== undefined, { message: 'give the content as text, a ref or a digest', path: ['text'] });

export const reportInput = z
  .object({
    /** The same key twice files one report. */
    idempotency_key: z.string().min(1).max(200),
    reporter: z.string().min(1).max(256),
    target: z
      .object({ account: z.string().min(1).max(256).optional(), content: contentTarget.optional(), app: z.string().min(1).max(256).optional() })
      .strict()
      .refine((t) => t.account !== undefined || t.content !== undefined || t.app !== undefined, { message: 'name an account, content or app', path: ['account'] }),
    clause_id: z.string().min(1).max(100).optional(),
    category: z.enum(ALL_CATEGORIES).optional(),
    text: z.string().max(10_000).optional(),
    evidence: z
      .array(z.object({ type: z.enum(['text', 'url', 'image_url']), value: z.string().min(1), note: z.string().max(2000).optional() }).strict())
      .optional(),
  })
  .strict();
export type ReportInput = z.infer<typeof reportInput>;
/** A report's evidence items (text, URLs), as stored on the report. */
export type ReportEvidence = NonNullable<ReportInput['evidence']>;

/** What the classifier said about the content, kept on the case for the reviewer. */
export interface ClassifierView {
  category_scores: Record<string, number>;
  violations: { clause_id: string; category?: string; score?: number; evidence?: FollowUpResult['violations'][number]['evidence'] }[];
  policy_version: string | null;
  /**
   * The content's images as the moderation judged them: hashes, size and the image model's scores. Image bytes
   * are never kept (not even a thumbnail), so a reviewer sees this evidence, not the image.
   */
  images?: FollowUpResult['images'];
  /** The tenant's LLM judge, when it decided the result and wants a person to look: its rationale. */
  judge?: { name: string; unsure: boolean; rationale: string | null; clause_ids: string[]; categories: string[] };
}

/** One report (from a person or from a moderation result) on its way into a case. */
export interface Intake {
  tenantId: string;
  idempotencyKey: string;
  bodyDigest: string;
  source: 'report' | 'moderation' | 'store';
  reporter: string;
  submittedBy: string;
  target: ReportInput['target'];
  allegation: Allegation;
  clauseId: string | null;
  category: string | null;
  text: string | null;
  evidence: ReportEvidence;
  classifier: ClassifierView | null;
  /** The content for the reviewer to read when the target names it by digest only. */
  contentText?: string;
  /** What the case stands for in another domain (see review_cases.source_ref). */
  sourceRef?: string;
  /** The least priority the case gets (a tenant rule's `review: {priority}`); computed priority above it stands. */
  priorityFloor?: number;
}

export interface FiledReport {
  reportId: string;
  caseId: string;
  /** True when the idempotency key had been used before with the same body. */
  replayed: boolean;
  /** True when the report joined an unresolved case on the same target. */
  merged: boolean;
}

/** Checks a person's report against the policy (nothing is written when it fails) and files it. */
export async function fileReport(context: ReviewContext, tenantId: string, input: ReportInput, actor: string): Promise<FiledReport> {
  const evidence = input.evidence ?? [];
  if (Buffer.byteLength(JSON.stringify(evidence)) > MAX_EVIDENCE_BYTES) {
    throw new PayloadTooLarge(`A report's evidence may be at most ${MAX_EVIDENCE_BYTES / 1024} KiB.`, 'evidence');
  }
  const policy = (await context.policies.current(tenantId)).document;
  return fileIntake(context, {
    tenantId,
    idempotencyKey: input.idempotency_key,
    bodyDigest: sha256Hex(canonicalJson(input)),
    source: 'report',
    reporter: input.reporter,
    submittedBy: actor,
    target: input.target,
    allegation: assessAllegation(policy, input.clause_id ?? null, input.category ?? null),
    clauseId: input.clause_id ?? null,
    category: input.category ?? null,
    text: input.text ?? null,
    evidence,
    classifier: null,
  });
}

/** Files a checked intake into its target's unresolved case, opening one when there is none. */
export async function fileIntake(context: ReviewContext, intake: Intake): Promise<FiledReport> {
  // Another process opened the target's case or used the key at the same moment: a retry merges or replays.
  return withTransaction(context.store, (tx) => fileIntakeIn(tx, context, intake), { attempts: 3, retryUniqueViolation: true });
}

/**
 * Files the intake inside the caller's transaction (which a unique-key race then fails as a whole). `settings`:
 * the tenant's review settings when the caller holds them already (a moderation's follow-up, planned from the
 * cached settings, files with those it was planned by); else they are read in the transaction.
 */
export async function fileIntakeIn(tx: Tx, context: ReviewContext, intake: Intake, settings?: ReviewSettings): Promise<FiledReport> {
  settings ??= await loadSettings(tx, intake.tenantId);
  const prior = await tx
    .selectFrom('review_reports')
    .select(['id', 'case_id', 'body_digest'])
    .where('tenant_id', '=', intake.tenantId)
    .where('idempotency_key', '=', intake.idempotencyKey)
    .executeTakeFirst();
  if (prior) {
    if (prior.body_digest !== intake.bodyDigest) {
      throw new Conflict(`Idempotency key "${intake.idempotencyKey}" was already used for a different report.`, 'idempotency_key');
    }
    return { reportId: prior.id, caseId: prior.case_id, replayed: true, merged: false };
  }
  const target = targetOf(intake.target);
  const open = tx.selectFrom('review_cases').selectAll().where('tenant_id', '=', intake.tenantId).where('open_target_key', '=', target.key);
  const existing = await forUpdate(context.store, open).executeTakeFirst();
  const now = context.clock.now();
  const caseRow = existing ? mergeInto(existing, intake, settings, now) : newCase(intake, target, settings, now);
  if (existing) await tx.updateTable('review_cases').set(caseRow).where('id', '=', existing.id).execute();
  else await tx.insertInto('review_cases').values(caseRow).execute();

  const reportId = newId('rpt');
  await tx
    .insertInto('review_reports')
    .values({
      id: reportId,
      tenant_id: intake.tenantId,
      case_id: caseRow.id,
      idempotency_key: intake.idempotencyKey,
      body_digest: intake.bodyDigest,
      source: intake.source,
      reporter: intake.reporter,
      submitted_by: intake.submittedBy,
      clause_id: intake.clauseId,
      category: intake.category,
      text: intake.text,
      evidence: JSON.stringify(intake.evidence),
      created_at: now.toISOString(),
    })
    .execute();
  await context.audit.append(tx, {
    tenantId: intake.tenantId,
    actor: intake.submittedBy,
    action: existing ? 'review.report_merged' : 'review.case_opened',
    target: caseRow.id,
    payload: { report: reportId, source: intake.source, target: target.key, clause_id: intake.clauseId, category: intake.category, priority: caseRow.priority },
  });
  return { reportId, caseId: caseRow.id, replayed: false, merged: Boolean(existing) };
}

const CASE_KINDS_BY_SOURCE = { report: 'report', moderation: 'automatic', store: 'store' } as const satisfies Record<Intake['source'], string>;

interface Target {
  type: 'content' | 'app' | 'account';
  key: string;
}

/** Reports merge on their most specific target: a piece of content, else an app, else an account. */
export function targetOf(target: ReportInput['target']): Target {
  const digest = contentDigest(target);
  if (digest !== null) return { type: 'content', key: `content:${digest}` };
  if (target.content?.ref !== undefined) return { type: 'content', key: `content-ref:${target.content.ref}` };
  if (target.app !== undefined) return { type: 'app', key: `app:${target.app}` };
  return { type: 'account', key: `account:${target.account}` };
}

function contentDigest(target: ReportInput['target']): string | null {
  if (target.content?.text !== undefined) return sha256Hex(target.content.text);
  return target.content?.digest ?? null;
}

function newCase(intake: Intake, target: Target, settings: ReviewSettings, now: Date): ReviewCaseRow {
  const { allegation } = intake;
  const classifierScore = topScore(intake.classifier);
  const text = intake.target.content?.text ?? intake.contentText ?? null;
  return {
    id: newId('case'),
    tenant_id: intake.tenantId,
    kind: CASE_KINDS_BY_SOURCE[intake.source],
    target_type: target.type,
    target_key: target.key,
    open_target_key: target.key,
    account_external_id: intake.target.account ?? null,
    app_id: intake.target.app ?? null,
    content_text: text,
    content_ref: intake.target.content?.ref ?? null,
    content_type: intake.target.content ? intake.target.content.type : null,
    content_digest: contentDigest(intake.target),
    clause_ids: JSON.stringify(allegation.clauseIds),
    categories: JSON.stringify(allegation.categories),
    severity: allegation.severity,
    classifier_score: classifierScore,
    classifier: intake.classifier ? JSON.stringify(intake.classifier) : null,
    report_count: 1,
    priority: Math.max(priorityOf({ severity: allegation.severity, classifierScore, reportCount: 1, childSafety: allegation.childSafety }), intake.priorityFloor ?? 0),
    child_safety: allegation.childSafety ? 1 : 0,
    status: 'open',
    sla_due_at: slaDeadline(now, allegation.severity, allegation.childSafety, settings.sla_hours).toISOString(),
    lease_holder: null,
    lease_expires_at: null,
    appeal_id: null,
    appeal_statement: null,
    excluded_reviewers: '[]',
    created_at: now.toISOString(),
    updated_at: now.toISOString(),
    closed_at: null,
    source_ref: intake.sourceRef ?? null,
  };
}

/** A new report on the case's target: allegations accumulate, priority and deadline tighten, never loosen. */
export function mergeInto(row: ReviewCaseRow, intake: Intake, settings: ReviewSettings, now: Date): ReviewCaseRow {
  const { allegation } = intake;
  const severity = maxSeverity([row.severity as typeof allegation.severity, allegation.severity]);
  const childSafety = row.child_safety === 1 || allegation.childSafety;
  const incomingScore = topScore(intake.classifier);
  const classifierScore = incomingScore === null ? row.classifier_score : Math.max(row.classifier_score ?? 0, incomingScore);
  const reportCount = row.report_count + 1;
  const deadline = slaDeadline(new Date(row.created_at), severity, childSafety, settings.sla_hours).toISOString();
  return {
    ...row,
    account_external_id: row.account_external_id ?? intake.target.account ?? null,
    content_text: row.content_text ?? intake.target.content?.text ?? intake.contentText ?? null,
    source_ref: intake.sourceRef ?? row.source_ref,
    clause_ids: JSON.stringify(union(JSON.parse(row.clause_ids) as string[], allegation.clauseIds)),
    categories: JSON.stringify(union(JSON.parse(row.categories) as string[], allegation.categories)),
    severity,
    classifier_score: classifierScore,
    classifier: intake.classifier ? JSON.stringify(intake.classifier) : row.classifier,
    report_count: reportCount,
    // Never loosens: a rule's floor set earlier stays.
    priority: Math.max(priorityOf({ severity, classifierScore, reportCount, childSafety }), intake.priorityFloor ?? 0, row.priority),
    child_safety: childSafety ? 1 : 0,
    sla_due_at: deadline < row.sla_due_at ? deadline : row.sla_due_at,
    updated_at: now.toISOString(),
  };
}

function topScore(classifier: ClassifierView | null): number | null {
  if (!classifier) return null;
  const scores = Object.values(classifier.category_scores);
  return scores.length ? Math.max(...scores) : null;
}

function union(a: string[], b: string[]): string[] {
  return [...new Set([...a, ...b])];
}
