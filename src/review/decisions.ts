import { z } from 'zod';
import { ALL_CATEGORIES, Conflict, InvalidInput, newId } from '../common/index.ts';
import type { ReviewCaseRow, ReviewDecisionRow, Tx } from '../db/index.ts';
import type { EnforcementInTransaction, EventInput } from '../enforce/index.ts';
import type { PolicyDocument } from '../policy/index.ts';
import { CHILD_SAFETY_CATEGORY, findClause } from './allegations.ts';
import { type CaseStatus, leaseActive, visibleCase } from './cases.ts';
import type { ReviewContext, Reviewer } from './context.ts';
import { assertMayDecide } from './leases.ts';

export const OUTCOMES = ['violation', 'no_violation', 'escalate', 'uphold', 'overturn'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const decisionInput = z
  .object({
    outcome: z.enum(OUTCOMES),
    clause_ids: z.array(z.string().min(1).max(100)).max(20).optional(),
    /** The category found, e.g. `sexual/minors` (a child-safety finding). */
    category: z.enum(ALL_CATEGORIES).optional(),
    notes: z.string().max(5000).optional(),
  })
  .strict();
export type DecisionInput = z.infer<typeof decisionInput>;

/** Rungs from which one more violation may terminate the account: such decisions need a second reviewer. */
const TERMINATION_RISK_RUNGS = ['suspended', 'terminated'];

type Stage = 'primary' | 'confirmation' | 'escalation' | 'appeal';

export interface DecisionResult {
  decision: ReviewDecisionRow;
  caseStatus: CaseStatus;
  /** For a confirmation: whether the second reviewer agreed with the first. */
  agreed: boolean | null;
  enforcement: { event_id: string; result: unknown } | null;
  appeal: unknown;
}

/**
 * Records the reviewer's decision on a case they hold, and what it does to the account, in one
 * transaction: no decision is ever left without its enforcement. A violation that could terminate
 * the account waits for a second reviewer before it becomes an enforcement event (idempotent on the
 * case). A child-safety finding takes effect at once (suspension, report record) and a second
 * reviewer confirms it, or their disagreement reverses it and hands the case to a senior. An
 * appeal's outcome decides the enforcement appeal.
 */
export async function decideCase(context: ReviewContext, reviewer: Reviewer, caseId: string, input: DecisionInput): Promise<DecisionResult> {
  const row = await visibleCase(context.store.db, reviewer, caseId);
  const now = context.clock.now();
  if (!leaseActive(row, now) || row.lease_holder !== reviewer.actor) {
    throw new Conflict(`You do not hold case ${caseId}: claim it before deciding.`, 'id');
  }
  await assertMayDecide(context, reviewer, row);
  const policy = (await context.policies.current(reviewer.tenantId)).document;
  const stage = stageOf(row);
  checkOutcome(row, stage, input, policy);
  const primary = stage === 'confirmation' || stage === 'escalation' ? await primaryDecision(context, row.id) : null;
  const agreed = stage === 'confirmation' && primary ? primary.outcome === input.outcome : null;
  const childSafetyFinding = input.outcome === 'violation' && (row.child_safety === 1 || input.category === CHILD_SAFETY_CATEGORY);
  const needsConfirmation = stage === 'primary' && input.outcome === 'violation' && (childSafetyFinding || (await risksTermination(context, reviewer.tenantId, row)));
  const status = nextStatus(stage, input.outcome, needsConfirmation, agreed);
  const finding: Finding =
    agreed && primary
      ? { clauseIds: JSON.parse(primary.clause_ids) as string[], category: primary.category }
      : { clauseIds: input.clause_ids ?? [], category: input.category ?? (childSafetyFinding ? CHILD_SAFETY_CATEGORY : null) };
  const step = enforcementStep({ row, stage, outcome: input.outcome, status, childSafetyFinding, agreed, primary });
  const writer = step.kind === 'none' ? null : await context.enforcement.inTransaction(reviewer.tenantId);

  const decision: ReviewDecisionRow = {
    id: newId('dec'),
    tenant_id: reviewer.tenantId,
    case_id: row.id,
    reviewer: reviewer.actor,
    stage,
    outcome: input.outcome,
    clause_ids: JSON.stringify(input.clause_ids ?? []),
    category: input.category ?? null,
    terminate: needsConfirmation && !childSafetyFinding ? 1 : 0,
    notes: input.notes ?? null,
    classifier_score: row.classifier_score,
    agrees_with: primary && stage === 'confirmation' ? primary.id : null,
    enforcement_event_id: null,
    decided_at: now.toISOString(),
  };
  const outcome = await context.store.db.transaction().execute(async (tx) => {
    // The case's row lock first, then the account's (inside enforcement), then the audit chain's: the order every writer keeps.
    await settleCase(tx, row, reviewer, status, childSafetyFinding, now);
    const enforcement = writer ? await applyStep(tx, writer, step, { context, reviewer, row, finding, primary, policy }) : null;
    const appeal =
      status === 'closed' && stage === 'appeal' && row.appeal_id && writer
        ? await writer.decideAppeal(
            tx,
            row.appeal_id,
            { outcome: input.outcome === 'uphold' ? 'upheld' : 'overturned', reason: input.notes || `Decided in review case ${row.id}.` },
            reviewer.actor,
          )
        : null;
    const recorded = { ...decision, enforcement_event_id: enforcement?.event_id ?? null };
    await tx.insertInto('review_decisions').values(recorded).execute();
    await context.audit.append(tx, {
      tenantId: reviewer.tenantId,
      actor: reviewer.actor,
      action: 'review.decided',
      target: row.id,
      payload: { decision: decision.id, stage, outcome: input.outcome, clause_ids: input.clause_ids ?? [], category: input.category ?? null, status, agreed },
    });
    if (status === 'closed') {
      const decided = contentDecided(row, stage, input.outcome, finding, { decisionId: decision.id, reviewer: reviewer.actor, at: now, policy, childSafety: childSafetyFinding });
      if (decided) await context.contentDecided.run(tx, decided);
    }
    if (status === 'closed' && stage !== 'appeal' && row.source_ref) {
      const closed: ClosedCase = { tenantId: reviewer.tenantId, caseId: row.id, sourceRef: row.source_ref, finding: input.outcome === 'violation' ? 'violation' : 'no_violation', clauseIds: finding.clauseIds, reviewer: reviewer.actor, notes: input.notes ?? null, at: now };
      await context.caseClosed.run(tx, closed);
    }
    return { decision: recorded, enforcement, appeal };
  });
  return { ...outcome, caseStatus: status, agreed };
}

/**
 * What a closed case settles about its content, for whoever learns from decisions: the reviewers'
 * finding (an appeal's outcome resolved: upheld is a violation, overturned is none) and the content.
 */
export interface ContentDecided {
  tenantId: string;
  caseId: string;
  decisionId: string;
  finding: 'violation' | 'no_violation';
  /** `review` for a case's decision, `appeal` for an appeal's outcome. */
  source: 'review' | 'appeal';
  clauseIds: string[];
  /** The category the reviewer named, if any. */
  category: string | null;
  /** The categories the case was opened or joined for (reports, the classifier's flags). */
  allegedCategories: string[];
  /** A child-safety case or finding: its evidence must never be reused (e.g. for training). */
  childSafety: boolean;
  /** Null when the case holds no text (an account or app report). */
  text: string | null;
  contentDigest: string | null;
  reviewer: string;
  at: Date;
  policy: PolicyDocument;
}

function contentDecided(
  row: ReviewCaseRow,
  stage: Stage,
  outcome: Outcome,
  finding: Finding,
  at: { decisionId: string; reviewer: string; at: Date; policy: PolicyDocument; childSafety: boolean },
): ContentDecided | null {
  if (row.target_type !== 'content') return null;
  const violation = stage === 'appeal' ? outcome === 'uphold' : outcome === 'violation';
  if (!violation && outcome !== 'no_violation' && outcome !== 'overturn') return null;
  return {
    tenantId: row.tenant_id,
    caseId: row.id,
    decisionId: at.decisionId,
    finding: violation ? 'violation' : 'no_violation',
    source: stage === 'appeal' ? 'appeal' : 'review',
    clauseIds: violation && stage === 'appeal' ? (JSON.parse(row.clause_ids) as string[]) : finding.clauseIds,
    category: finding.category,
    allegedCategories: JSON.parse(row.categories) as string[],
    childSafety: row.child_safety === 1 || at.childSafety,
    text: row.content_text,
    contentDigest: row.content_digest,
    reviewer: at.reviewer,
    at: at.at,
    policy: at.policy,
  };
}

/** What the reviewers found: the clauses and the category an enforcement event cites. */
interface Finding {
  clauseIds: string[];
  category: string | null;
}

/** A closed case that stands for something in another domain (its `source_ref`), as its hooks see it. */
export interface ClosedCase {
  tenantId: string;
  caseId: string;
  sourceRef: string;
  finding: 'violation' | 'no_violation';
  clauseIds: string[];
  reviewer: string;
  notes: string | null;
  at: Date;
}

/** What a decision does through enforcement. */
type Step =
  | { kind: 'none' }
  | { kind: 'record'; eventId: string; awaitsConfirmation: boolean }
  | { kind: 'confirm'; eventId: string }
  | { kind: 'retract'; eventId: string }
  | { kind: 'appeal' };

function enforcementStep(input: {
  row: ReviewCaseRow;
  stage: Stage;
  outcome: Outcome;
  status: CaseStatus;
  childSafetyFinding: boolean;
  agreed: boolean | null;
  primary: ReviewDecisionRow | null;
}): Step {
  const { row, stage, status, primary } = input;
  if (stage === 'appeal') return status === 'closed' && row.appeal_id ? { kind: 'appeal' } : { kind: 'none' };
  if (!enforcementAccount(row)) return { kind: 'none' };
  // A child-safety finding already took effect when it was made: the second reviewer settles it.
  const acted = primary?.enforcement_event_id ?? null;
  if (stage === 'confirmation' && acted) return { kind: input.agreed ? 'confirm' : 'retract', eventId: acted };
  if (stage === 'primary' && input.childSafetyFinding) return { kind: 'record', eventId: `review:${row.id}`, awaitsConfirmation: true };
  const violation = input.outcome === 'violation' || (stage === 'confirmation' && input.agreed === true);
  if (status !== 'closed' || !violation) return { kind: 'none' };
  // A senior's finding after a retracted one is a new event: the first keeps its id and its record.
  return { kind: 'record', eventId: acted ? `review:${row.id}:escalation` : `review:${row.id}`, awaitsConfirmation: false };
}

const NOT_CONFIRMED = 'not confirmed by second review';

async function applyStep(
  tx: Tx,
  writer: EnforcementInTransaction,
  step: Step,
  input: { context: ReviewContext; reviewer: Reviewer; row: ReviewCaseRow; finding: Finding; primary: ReviewDecisionRow | null; policy: PolicyDocument },
): Promise<DecisionResult['enforcement']> {
  const { reviewer } = input;
  switch (step.kind) {
    case 'none':
    case 'appeal':
      return null;
    case 'record': {
      const event = reviewEvent(step.eventId, input);
      const [recorded] = await writer.recordEvents(tx, reviewer.actor, [event]);
      if (step.awaitsConfirmation) await writer.settleChildSafetyReports(tx, step.eventId, { state: 'pending', reviewer: null, actor: reviewer.actor });
      return { event_id: step.eventId, result: recorded?.result ?? null };
    }
    case 'confirm': {
      const reports = await writer.settleChildSafetyReports(tx, step.eventId, { state: 'confirmed', reviewer: reviewer.actor, actor: reviewer.actor });
      return { event_id: step.eventId, result: { confirmation: 'confirmed', child_safety_reports: reports } };
    }
    case 'retract': {
      const reversed = await writer.retractEvent(tx, step.eventId, { actor: reviewer.actor, reason: NOT_CONFIRMED });
      const reports = await writer.settleChildSafetyReports(tx, step.eventId, { state: 'unconfirmed', reviewer: reviewer.actor, actor: reviewer.actor });
      return { event_id: step.eventId, result: { confirmation: 'unconfirmed', reversed_actions: reversed, child_safety_reports: reports } };
    }
  }
}

function stageOf(row: ReviewCaseRow): Stage {
  if (row.kind === 'appeal') return 'appeal';
  if (row.status === 'awaiting_confirmation') return 'confirmation';
  if (row.status === 'escalated') return 'escalation';
  return 'primary';
}

function checkOutcome(row: ReviewCaseRow, stage: Stage, input: DecisionInput, policy: PolicyDocument): void {
  const allowed: Outcome[] =
    stage === 'appeal' ? ['uphold', 'overturn'] : stage === 'primary' ? ['violation', 'no_violation', 'escalate'] : ['violation', 'no_violation'];
  if (!allowed.includes(input.outcome)) {
    throw new InvalidInput(`A ${stage} decision on case ${row.id} is one of ${allowed.join(', ')}.`, 'outcome');
  }
  if (input.outcome !== 'violation' || stage === 'confirmation') return;
  const clauseIds = input.clause_ids ?? [];
  if (clauseIds.length === 0) throw new InvalidInput('A violation cites at least one clause.', 'clause_ids');
  const clauses = clauseIds.map((id, index) => findClause(policy, id, `clause_ids[${index}]`));
  if (input.category && !clauses.some((c) => (c.categories as string[]).includes(input.category!))) {
    throw new InvalidInput(`None of the cited clauses is enforced through "${input.category}".`, 'category');
  }
}

function nextStatus(stage: Stage, outcome: Outcome, needsConfirmation: boolean, agreed: boolean | null): CaseStatus {
  if (needsConfirmation) return 'awaiting_confirmation';
  if (stage === 'primary' && outcome === 'escalate') return 'escalated';
  // Two reviewers who disagree hand the case to a senior.
  if (stage === 'confirmation' && agreed === false) return 'escalated';
  return 'closed';
}

async function risksTermination(context: ReviewContext, tenantId: string, row: ReviewCaseRow): Promise<boolean> {
  const account = enforcementAccount(row);
  if (!account) return false;
  const standing = await context.enforcement.standing(tenantId, account.id).catch(() => null);
  return standing !== null && TERMINATION_RISK_RUNGS.includes(standing.rung);
}

async function primaryDecision(context: ReviewContext, caseId: string): Promise<ReviewDecisionRow | null> {
  const row = await context.store.db
    .selectFrom('review_decisions')
    .selectAll()
    .where('case_id', '=', caseId)
    .where('stage', '=', 'primary')
    .orderBy('decided_at', 'desc')
    .executeTakeFirst();
  return row ?? null;
}

/** Moves the case on, still conditional on this reviewer's live lease: a lease lost meanwhile refuses the decision. */
async function settleCase(tx: Tx, row: ReviewCaseRow, reviewer: Reviewer, status: CaseStatus, childSafety: boolean, now: Date): Promise<void> {
  const nowIso = now.toISOString();
  const closed = status === 'closed';
  const result = await tx
    .updateTable('review_cases')
    .set({
      status,
      lease_holder: null,
      lease_expires_at: null,
      open_target_key: closed ? null : row.open_target_key,
      closed_at: closed ? nowIso : null,
      child_safety: childSafety ? 1 : row.child_safety,
      updated_at: nowIso,
    })
    .where('id', '=', row.id)
    .where('status', '=', row.status)
    .where('lease_holder', '=', reviewer.actor)
    .where('lease_expires_at', '>', nowIso)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) throw new Conflict(`Your lease on case ${row.id} ended before the decision was recorded.`, 'id');
}

function enforcementAccount(row: ReviewCaseRow): { id: string; kind: EventInput['account_kind'] } | null {
  if (row.account_external_id) return { id: row.account_external_id, kind: 'user' };
  if (row.app_id) return { id: row.app_id, kind: 'app' };
  return null;
}

function reviewEvent(eventId: string, input: { reviewer: Reviewer; row: ReviewCaseRow; finding: Finding; primary: ReviewDecisionRow | null; policy: PolicyDocument }): EventInput {
  const { reviewer, row, finding, primary, policy } = input;
  const account = enforcementAccount(row)!;
  const category = finding.category;
  return {
    id: eventId,
    account: account.id,
    account_kind: account.kind,
    source: 'review',
    violations: finding.clauseIds.map((clauseId) => {
      const clause = findClause(policy, clauseId, 'clause_ids');
      const cited = category && (clause.categories as string[]).includes(category) ? { category: category as EventInput['violations'][number]['category'] } : {};
      return { clause_id: clauseId, ...cited, ...(row.classifier_score !== null ? { score: row.classifier_score } : {}) };
    }),
    ...(row.content_digest ? { content: { digest: row.content_digest, type: row.content_type === 'image' ? ('image' as const) : ('text' as const) } } : {}),
    reviewer: primary && row.status === 'awaiting_confirmation' ? `${primary.reviewer}, confirmed by ${reviewer.actor}` : reviewer.actor,
  };
}
