import { z } from 'zod';
import { ALL_CATEGORIES, Conflict, InvalidInput, newId } from '../common/index.ts';
import type { ReviewCaseRow, ReviewDecisionRow, Tx } from '../db/index.ts';
import type { EventInput } from '../enforce/index.ts';
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
 * Records the reviewer's decision on a case they hold. A violation that could terminate the
 * account, or a child-safety finding, waits for a second reviewer; a final violation becomes an
 * enforcement event (idempotent on the case), an appeal's outcome decides the enforcement appeal.
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
  const primary = stage === 'confirmation' ? await primaryDecision(context, row.id) : null;
  const agreed = primary ? primary.outcome === input.outcome : null;
  const childSafetyFinding = input.outcome === 'violation' && (row.child_safety === 1 || input.category === CHILD_SAFETY_CATEGORY);
  const needsConfirmation = stage === 'primary' && input.outcome === 'violation' && (childSafetyFinding || (await risksTermination(context, reviewer.tenantId, row)));
  const status = nextStatus(stage, input.outcome, needsConfirmation, agreed);
  const clauseIds = primary && agreed ? (JSON.parse(primary.clause_ids) as string[]) : (input.clause_ids ?? []);
  const category = primary && agreed ? primary.category : (input.category ?? null);

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
    agrees_with: primary?.id ?? null,
    enforcement_event_id: null,
    decided_at: now.toISOString(),
  };
  await context.store.db.transaction().execute(async (tx) => {
    await settleCase(tx, row, reviewer, status, childSafetyFinding, now);
    await tx.insertInto('review_decisions').values(decision).execute();
    await context.audit.append(tx, {
      tenantId: reviewer.tenantId,
      actor: reviewer.actor,
      action: 'review.decided',
      target: row.id,
      payload: { decision: decision.id, stage, outcome: input.outcome, clause_ids: input.clause_ids ?? [], category: input.category ?? null, status, agreed },
    });
  });

  const final = status === 'closed';
  const enforcement = final && (input.outcome === 'violation' || (stage === 'confirmation' && agreed)) ? await enforce(context, reviewer, row, decision, clauseIds, category, primary) : null;
  const appeal =
    final && stage === 'appeal' && row.appeal_id
      ? await context.enforcement.decideAppeal(
          reviewer.tenantId,
          row.appeal_id,
          { outcome: input.outcome === 'uphold' ? 'upheld' : 'overturned', reason: input.notes || `Decided in review case ${row.id}.` },
          reviewer.actor,
        )
      : null;
  return { decision: { ...decision, enforcement_event_id: enforcement?.event_id ?? null }, caseStatus: status, agreed, enforcement, appeal };
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

async function enforce(
  context: ReviewContext,
  reviewer: Reviewer,
  row: ReviewCaseRow,
  decision: ReviewDecisionRow,
  clauseIds: string[],
  category: string | null,
  primary: ReviewDecisionRow | null,
): Promise<DecisionResult['enforcement']> {
  const account = enforcementAccount(row);
  if (!account) return null;
  const policy = (await context.policies.current(reviewer.tenantId)).document;
  const eventId = `review:${row.id}`;
  const event: EventInput = {
    id: eventId,
    account: account.id,
    account_kind: account.kind,
    source: 'review',
    violations: clauseIds.map((clauseId) => {
      const clause = findClause(policy, clauseId, 'clause_ids');
      const cited = category && (clause.categories as string[]).includes(category) ? { category: category as EventInput['violations'][number]['category'] } : {};
      return { clause_id: clauseId, ...cited, ...(row.classifier_score !== null ? { score: row.classifier_score } : {}) };
    }),
    ...(row.content_digest ? { content: { digest: row.content_digest, type: row.content_type === 'image' ? ('image' as const) : ('text' as const) } } : {}),
    reviewer: primary ? `${primary.reviewer}, confirmed by ${reviewer.actor}` : reviewer.actor,
  };
  const [recorded] = await context.enforcement.recordEvents(reviewer.tenantId, reviewer.actor, [event]);
  await context.store.db.updateTable('review_decisions').set({ enforcement_event_id: eventId }).where('id', '=', decision.id).execute();
  return { event_id: eventId, result: recorded?.result ?? null };
}
