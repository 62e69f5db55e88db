import { canonicalJson, sha256Hex } from '../common/index.ts';
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
export function moderationIntakes(followUp: FollowUp, settings: ReviewSettings): Intake[] {
  if (!settings.automatic_cases.enabled) return [];
  const policy = followUp.policy.document;
  const intakes: Intake[] = [];
  for (const result of followUp.results) {
    const violations = result.violations.map((v) => ({ clause_id: v.clause_id, category: v.category, score: v.score, evidence: v.evidence }));
    const allegation = allegationFor(policy, settings, { violations, top: result.topScore });
    if (!allegation) continue;
    const candidate = { category_scores: result.categoryScores, violations };
    const classifier: ClassifierView = { ...candidate, policy_version: followUp.policy.version };
    intakes.push({
      tenantId: followUp.tenantId,
      idempotencyKey: `moderation:${followUp.moderationId}:${result.index}`,
      bodyDigest: sha256Hex(canonicalJson({ digest: result.digest, classifier })),
      source: 'moderation',
      reporter: 'classifier',
      submittedBy: followUp.actor,
      target: { content: { digest: result.digest, type: 'text' }, ...(followUp.account ? { account: followUp.account } : {}) },
      allegation,
      clauseId: allegation.clauseIds[0] ?? null,
      category: allegation.categories[0] ?? null,
      text: null,
      evidence: [],
      classifier,
      contentText: withinEvidenceLimit(result.text),
    });
  }
  return intakes;
}

/** The highest score and its category (the first of equals), or [null, 0] when there is none. */
function highestScore(scores: Record<string, number>): readonly [string | null, number] {
  let top: readonly [string | null, number] = [null, 0];
  for (const category in scores) {
    const score = scores[category]!;
    if (top[0] === null || score > top[1]) top = [category, score];
  }
  return top;
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
