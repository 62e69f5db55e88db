import { type Category, MODERATION_CATEGORIES, type ModerationCategory, WARDEN_CATEGORIES, type WardenCategory } from '../common/index.ts';
import type { CategoryScores } from '../detect/index.ts';
import type { JudgeSummary, ModerationResult, ModerationWarning } from '../moderation/index.ts';
import { type PolicyDocument, clauseApplies, effectiveSeverity } from '../policy/index.ts';
import type { FailureKind } from './client.ts';
import { type CascadeMode, type JudgeSettings, modeOf } from './settings.ts';
import type { JudgeAnswer, JudgedClause } from './template.ts';

const moderationCategories = new Set<string>(MODERATION_CATEGORIES);
const wardenCategories = new Set<string>(WARDEN_CATEGORIES);

/** Which of a result's categories send it to the judge, and how. */
export interface Route {
  /** Categories the judge decides (band or always). */
  decisive: Category[];
  /** Categories the judge only shadows. */
  shadow: Category[];
}

/** The categories of a result that the judge is asked about, under the judge's modes and band. */
export function routeOf(settings: JudgeSettings, result: ModerationResult, clauses: JudgedClause[]): Route {
  const scores = { ...result.category_scores, ...result.warden.category_scores } as CategoryScores;
  const { low, high } = settings.cascade.band;
  const decisive: Category[] = [];
  const shadow: Category[] = [];
  const judged = new Set(clauses.flatMap((c) => c.categories));
  for (const category of judged) {
    const mode: CascadeMode = modeOf(settings, category);
    const score = scores[category] ?? 0;
    if (mode === 'always' || (mode === 'band' && score >= low && score < high)) decisive.push(category);
    else if (mode === 'shadow') shadow.push(category);
  }
  return { decisive, shadow };
}

/** The judged clauses that speak for these categories. */
export function clausesFor(clauses: JudgedClause[], categories: readonly Category[]): JudgedClause[] {
  const wanted = new Set(categories);
  return clauses.filter((c) => c.categories.some((category) => wanted.has(category)));
}

/** The clauses the judge found violated, among those it was asked to decide. */
export function violatedClauses(answer: JudgeAnswer, inScope: JudgedClause[]): string[] {
  const ids = new Set(inScope.map((c) => c.id));
  return answer.verdicts.filter((v) => v.violated && ids.has(v.clause_id)).map((v) => v.clause_id);
}

/** True when the judge gave any in-scope clause less confidence than the tenant wants to act on alone. */
export function isUnsure(answer: JudgeAnswer, inScope: JudgedClause[], reviewBelow: number): boolean {
  const ids = new Set(inScope.map((c) => c.id));
  return answer.verdicts.some((v) => ids.has(v.clause_id) && v.confidence < reviewBelow);
}

export interface Applied {
  judge: string;
  mode: 'band' | 'always';
  categories: Category[];
  answer: JudgeAnswer;
  latencyMs: number;
  cached: boolean;
  unsure: boolean;
  policyVersion: string;
  templateVersion: string;
}

/**
 * The result with the judge's verdict for its decisive categories: in each, the clauses the judge
 * found violated are the violations (the local model's scores stay as they were), and the category
 * is flagged exactly when one is. Other categories keep the local verdict.
 */
export function applyAnswer(result: ModerationResult, applied: Applied, scope: JudgedClause[], document: PolicyDocument, thresholds: CategoryScores): ModerationResult {
  const decisive = new Set<Category>(applied.categories);
  const violated = new Set(violatedClauses(applied.answer, scope));
  const next = structuredClone(result);
  const kept = next.warden.violations.filter((v) => !decisive.has(v.category));
  const scores = { ...result.category_scores, ...result.warden.category_scores } as CategoryScores;
  const judged = document.clauses.filter((c) => violated.has(c.id) && clauseApplies(c, next.warden.surface));
  const added = judged.flatMap((clause) =>
    clause.categories
      .filter((c) => decisive.has(c))
      .map((category) => ({
        clause_id: clause.id,
        category,
        severity: effectiveSeverity(clause, category),
        score: scores[category] ?? 0,
        threshold: thresholds[category] ?? 1,
        evidence: result.warden.evidence.filter((e) => e.category === category),
      })),
  );
  const flaggedNow = new Set(added.map((v) => v.category));
  for (const category of decisive) {
    if (moderationCategories.has(category)) next.categories[category as ModerationCategory] = flaggedNow.has(category);
    else if (wardenCategories.has(category) && next.warden.categories[category as WardenCategory] !== undefined) next.warden.categories[category as WardenCategory] = flaggedNow.has(category);
    else if (wardenCategories.has(category) && flaggedNow.has(category)) next.warden.categories[category as WardenCategory] = true;
  }
  next.warden.violations = [...kept, ...added];
  next.flagged = MODERATION_CATEGORIES.some((c) => next.categories[c]);
  next.warden.flagged = next.warden.violations.length > 0;
  next.warden.decided_by = 'judge';
  next.warden.judge = summary(applied, 'applied', violated, null);
  return next;
}

/** The local result, served because the judge gave no usable answer: it says so, and why. */
export function degraded(result: ModerationResult, judge: string, mode: 'band' | 'always', categories: Category[], failure: { kind: FailureKind; message: string; latencyMs: number | null }, versions: { policyVersion: string; templateVersion: string }): ModerationResult {
  const next = withoutVerdict(result, { judge, mode, categories, ...versions }, 'failed', failure.latencyMs, { kind: failure.kind, message: failure.message });
  next.warden.warnings.push(unavailable(judge, failure.kind));
  return next;
}

/** The local result, served now; the judge's verdict follows (webhook `moderation.judged`, GET /v1/moderations/{id}). */
export function pending(result: ModerationResult, judge: string, mode: 'band' | 'always', categories: Category[], versions: { policyVersion: string; templateVersion: string }): ModerationResult {
  return withoutVerdict(result, { judge, mode, categories, ...versions }, 'pending', null, null);
}

/** A copy of the local result whose judge summary holds no verdict (not yet, or none at all). */
function withoutVerdict(
  result: ModerationResult,
  asked: { judge: string; mode: 'band' | 'always'; categories: Category[]; policyVersion: string; templateVersion: string },
  status: 'failed' | 'pending',
  latencyMs: number | null,
  error: JudgeSummary['error'],
): ModerationResult {
  const next = structuredClone(result);
  next.warden.judge = {
    name: asked.judge,
    status,
    mode: asked.mode,
    categories: asked.categories,
    policy_version: asked.policyVersion,
    template_version: asked.templateVersion,
    violated_clause_ids: [],
    confidence: {},
    rationale: null,
    latency_ms: latencyMs,
    cached: false,
    unsure: false,
    error,
  };
  return next;
}

export function summary(applied: Omit<Applied, 'mode'> & { mode: JudgeSummary['mode'] }, status: JudgeSummary['status'], violated: Set<string>, error: JudgeSummary['error']): JudgeSummary {
  return {
    name: applied.judge,
    status,
    mode: applied.mode,
    categories: applied.categories,
    policy_version: applied.policyVersion,
    template_version: applied.templateVersion,
    violated_clause_ids: [...violated],
    confidence: Object.fromEntries(applied.answer.verdicts.map((v) => [v.clause_id, v.confidence])),
    rationale: applied.answer.rationale,
    latency_ms: applied.latencyMs,
    cached: applied.cached,
    unsure: applied.unsure,
    error,
  };
}

function unavailable(judge: string, kind: FailureKind): ModerationWarning {
  return {
    code: 'judge_unavailable',
    message: `The judge "${judge}" gave no usable verdict (${kind}); this is the local model's verdict, which the cascade sends to the judge when it is uncertain.`,
  };
}

/** The clause ids a result violates, sorted: what local and judge verdicts are compared by. */
export function clauseIdsOf(result: ModerationResult, scope?: JudgedClause[]): string[] {
  const ids = scope ? new Set(scope.map((c) => c.id)) : null;
  return [...new Set(result.warden.violations.map((v) => v.clause_id).filter((id) => !ids || ids.has(id)))].sort();
}
