import { canonicalJson, highestScore, sha256Hex } from '../common/index.ts';
import { type PolicyDocument, effectiveSeverity } from '../policy/index.ts';
import { type Allegation, CHILD_SAFETY_CATEGORY, assessAllegation, findClause } from './allegations.ts';
import type { FollowUp } from '../moderation/index.ts';
import { type ClassifierView, type Intake, withinEvidenceLimit } from './intake.ts';
import { maxSeverity } from './priority.ts';
import type { ReviewSettings } from './settings.ts';

/**
 * The reports a moderation files: one for each result the tenant wants a person to look at (one
 * whose highest score lies in the uncertainty band, or one that violates a clause of a listed
 * severity), judged against the policy version the verdict used. Each opens (or joins) its content's
 * case; idempotent on the moderation id and the result's index.
 */
export function moderationIntakes(followUp: FollowUp, settings: ReviewSettings, keySuffix = ''): Intake[] {
  const policy = followUp.policy.document;
  const intakes: Intake[] = [];
  for (const result of followUp.results) {
    // A tenant rule that routes the result to review opens a case even where automatic cases are off.
    const asked = result.rules?.review_priority ?? null;
    if (!settings.automatic_cases.enabled && asked === null) continue;
    const violations = result.violations.map((v) => ({ clause_id: v.clause_id, category: v.category, score: v.score, evidence: v.evidence }));
    // Weighed by the highest score alone: the merged scores are built only for a result that goes to review.
    const weighed = { violations, top: result.topScore };
    // A result the judge decided is not uncertain any more: it goes to a person when the judge is
    // unsure, or when it violates a clause of a listed severity. A rule's routing opens a case regardless.
    const judge = result.judge;
    const automatic = settings.automatic_cases.enabled
      ? judge
        ? judge.unsure
          ? judgeAllegation(policy, judge)
          : allegationFor(policy, withoutBand(settings), weighed)
        : allegationFor(policy, settings, weighed)
      : null;
    const allegation = automatic ?? (asked === null ? null : ruleAllegation(policy, weighed));
    if (!allegation) continue;
    const classifier: ClassifierView = {
      category_scores: result.categoryScores,
      violations,
      policy_version: followUp.policy.version,
      ...(result.images && { images: result.images }),
      ...(judge && { judge: { name: judge.judge, unsure: judge.unsure, rationale: judge.rationale, clause_ids: judge.clauseIds, categories: judge.categories } }),
    };
    intakes.push({
      tenantId: followUp.tenantId,
      idempotencyKey: `moderation:${followUp.moderationId}:${result.index}${keySuffix}`,
      bodyDigest: sha256Hex(canonicalJson({ digest: result.digest, classifier })),
      source: 'moderation',
      reporter: asked === null ? 'classifier' : `rule:${result.rules!.matched.join(',')}`,
      submittedBy: followUp.actor,
      target: { content: { digest: result.digest, type: 'text' }, ...(followUp.account ? { account: followUp.account } : {}) },
      allegation,
      clauseId: allegation.clauseIds[0] ?? null,
      category: allegation.categories[0] ?? null,
      text: null,
      evidence: [],
      classifier,
      contentText: withinEvidenceLimit(result.text),
      ...(asked !== null && { priorityFloor: asked }),
    });
  }
  return intakes;
}

/** What a rule's routing alleges: the result's violations, or nothing more than "a rule asked" (low severity) when it has none. */
function ruleAllegation(policy: PolicyDocument, result: Candidate): Allegation {
  const parts = result.violations.filter((v) => policy.clauses.some((c) => c.id === v.clause_id)).map((v) => assessAllegation(policy, v.clause_id, v.category ?? null));
  const categories = [...new Set(parts.flatMap((p) => p.categories))];
  return {
    clauseIds: [...new Set(parts.flatMap((p) => p.clauseIds))],
    categories,
    severity: maxSeverity(parts.map((p) => p.severity)),
    childSafety: categories.includes(CHILD_SAFETY_CATEGORY),
  };
}

/** A moderation result as review weighs it: its scores, or only the highest of them. */
type Candidate = { violations: ClassifierView['violations'] } & ({ category_scores: Record<string, number> } | { top: readonly [string | null, number] });

/** Why a result needs review, or null when the classifier's verdict can stand on its own. */
export function allegationFor(policy: PolicyDocument, settings: ReviewSettings, result: Candidate): Allegation | null {
  const { uncertainty_band: band, severities } = settings.automatic_cases;
  const severe = result.violations.filter((v) => {
    const clause = policy.clauses.find((c) => c.id === v.clause_id);
    if (!clause) return false;
    return severities.includes(effectiveSeverity(clause, v.category));
  });
  const [topCategory, topScore] = 'top' in result ? result.top : highestScore(result.category_scores);
  const uncertain = topCategory !== null && topScore >= band.low && topScore < band.high;
  if (severe.length === 0 && !uncertain) return null;

  const parts = [
    ...severe.map((v) => assessAllegation(policy, findClause(policy, v.clause_id, 'clause_id').id, v.category ?? null)),
    ...(uncertain ? [assessAllegation(policy, null, topCategory)] : []),
  ];
  const categories = [...new Set(parts.flatMap((p) => p.categories))];
  return {
    clauseIds: [...new Set(parts.flatMap((p) => p.clauseIds))],
    categories,
    severity: maxSeverity(parts.map((p) => p.severity)),
    childSafety: categories.includes(CHILD_SAFETY_CATEGORY),
  };
}

/** What a judge unsure of its verdict puts to a person: the clauses it found violated, else the categories it was asked about. */
function judgeAllegation(policy: PolicyDocument, judge: NonNullable<FollowUp['results'][number]['judge']>): Allegation | null {
  const known = judge.clauseIds.filter((id) => policy.clauses.some((c) => c.id === id));
  const parts = known.length ? known.map((id) => assessAllegation(policy, id, null)) : judge.categories.slice(0, 1).map((c) => assessAllegation(policy, null, c));
  if (parts.length === 0) return null;
  const categories = [...new Set([...parts.flatMap((p) => p.categories), ...judge.categories])];
  return {
    clauseIds: [...new Set(parts.flatMap((p) => p.clauseIds))],
    categories,
    severity: maxSeverity(parts.map((p) => p.severity)),
    childSafety: categories.includes(CHILD_SAFETY_CATEGORY),
  };
}

/** The settings with an empty uncertainty band: only severity sends a result to review. */
function withoutBand(settings: ReviewSettings): ReviewSettings {
  return { ...settings, automatic_cases: { ...settings.automatic_cases, uncertainty_band: { low: 1, high: 1 } } };
}
