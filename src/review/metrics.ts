import type { ReviewContext } from './context.ts';

/** Above this classifier score a case counts as "the classifier said violation". */
export const CLASSIFIER_FLAG_SCORE = 0.5;

/**
 * How reviewers are doing over the last `windowHours`: decisions per hour (overall and per
 * reviewer), how often the classifier agreed with reviewers, and how often a second reviewer
 * agreed with the first on double-reviewed cases.
 */
export async function reviewMetrics(context: ReviewContext, tenantId: string, windowHours: number) {
  const now = context.clock.now();
  const since = new Date(now.getTime() - windowHours * 3_600_000).toISOString();
  const decisions = await context.store.db
    .selectFrom('review_decisions')
    .select(['reviewer', 'stage', 'outcome', 'classifier_score', 'agrees_with'])
    .where('tenant_id', '=', tenantId)
    .where('decided_at', '>', since)
    .execute();

  const perReviewer = new Map<string, number>();
  for (const d of decisions) perReviewer.set(d.reviewer, (perReviewer.get(d.reviewer) ?? 0) + 1);

  const scored = decisions.filter((d) => d.classifier_score !== null && (d.outcome === 'violation' || d.outcome === 'no_violation') && d.stage !== 'confirmation');
  const classifierAgreed = scored.filter((d) => d.classifier_score! >= CLASSIFIER_FLAG_SCORE === (d.outcome === 'violation')).length;

  const confirmations = decisions.filter((d) => d.stage === 'confirmation' && d.agrees_with !== null);
  const primaries = new Map(
    (
      await context.store.db
        .selectFrom('review_decisions')
        .select(['id', 'outcome'])
        .where('id', 'in', confirmations.length ? confirmations.map((c) => c.agrees_with!) : [''])
        .execute()
    ).map((p) => [p.id, p.outcome]),
  );
  const reviewersAgreed = confirmations.filter((c) => primaries.get(c.agrees_with!) === c.outcome).length;
  const judge = await judgeAgreement(context, tenantId, since);

  return {
    object: 'review_metrics' as const,
    window_hours: windowHours,
    as_of: now.toISOString(),
    decisions: decisions.length,
    decisions_per_hour: round(decisions.length / windowHours),
    reviewers: [...perReviewer.entries()].map(([reviewer, n]) => ({ reviewer, decisions: n, decisions_per_hour: round(n / windowHours) })),
    classifier_agreement: { n: scored.length, agreed: classifierAgreed, rate: scored.length ? round(classifierAgreed / scored.length) : null, flag_score: CLASSIFIER_FLAG_SCORE },
    reviewer_agreement: { n: confirmations.length, agreed: reviewersAgreed, rate: confirmations.length ? round(reviewersAgreed / confirmations.length) : null },
    judge_agreement: judge,
  };
}

/**
 * How often reviewers agreed with the tenant's LLM judge, on the cases a judged result opened (the
 * judge was unsure): the judge "said violation" when it found any clause violated.
 */
async function judgeAgreement(context: ReviewContext, tenantId: string, since: string) {
  const rows = await context.store.db
    .selectFrom('review_decisions')
    .innerJoin('review_cases', (join) => join.onRef('review_cases.id', '=', 'review_decisions.case_id').onRef('review_cases.tenant_id', '=', 'review_decisions.tenant_id'))
    .select(['review_decisions.outcome', 'review_cases.classifier'])
    .where('review_decisions.tenant_id', '=', tenantId)
    .where('review_decisions.decided_at', '>', since)
    .where('review_decisions.stage', '<>', 'confirmation')
    .where('review_decisions.outcome', 'in', ['violation', 'no_violation'])
    .where('review_cases.classifier', 'is not', null)
    .execute();
  let n = 0;
  let agreed = 0;
  for (const row of rows) {
    const judge = (JSON.parse(row.classifier!) as { judge?: { clause_ids: string[] } }).judge;
    if (!judge) continue;
    n += 1;
    if (judge.clause_ids.length > 0 === (row.outcome === 'violation')) agreed += 1;
  }
  return { n, agreed, rate: n ? round(agreed / n) : null };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
