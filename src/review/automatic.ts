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
export function moderationIntakes(followUp: FollowUp, settings: ReviewSettings, keySuffix = ''): Intake[] {
  if (!settings.automatic_cases.enabled) return [];
  const policy = followUp.policy.document;
  const intakes: Intake[] = [];
  for (const result of followUp.results) {
    const candidate = {
      category_scores: result.categoryScores,
      violations: result.violations.map((v) => ({ clause_id: v.clause_id, category: v.category, score: v.score, evidence: v.evidence })),
    };
    // A result the judge decided is not uncertain any more: it goes to a person when the judge is
    // unsure, or when it violates a clause of a listed severity.
    const judge = result.judge;
    const allegation = judge ? (judge.unsure ? judgeAllegation(policy, judge) : allegationFor(policy, withoutBand(settings), candidate)) : allegationFor(policy, settings, candidate);
    if (!allegation) continue;
    const classifier: ClassifierView = {
      ...candidate,
      policy_version: followUp.policy.version,
      ...(judge && { judge: { name: judge.judge, unsure: judge.unsure, rationale: judge.rationale, clause_ids: judge.clauseIds, categories: judge.categories } }),
    };
    intakes.push({
      tenantId: followUp.tenantId,
      idempotencyKey: `moderation:${followUp.moderationId}:${result.index}${keySuffix}`,
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

/** A moderation result as review weighs it. */
interface Candidate {
  category_scores: Record<string, number>;
  violations: ClassifierView['violations'];
}

/** Why a result needs review, or null when the classifier's verdict can stand on its own. */
export function allegationFor(policy: PolicyDocument, settings: ReviewSettings, result: Candidate): Allegation | null {
  const { uncertainty_band: band, severities } = settings.automatic_cases;
  const severe = result.violations.filter((v) => {
    const clause = policy.clauses.find((c) => c.id === v.clause_id);
    if (!clause) return false;
    return severities.includes(effectiveSeverity(clause, v.category));
  });
  const [topCategory, topScore] = Object.entries(result.category_scores).sort((a, b) => b[1] - a[1])[0] ?? [null, 0];
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
