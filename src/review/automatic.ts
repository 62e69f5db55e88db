import { canonicalJson, sha256Hex } from '../common/index.ts';
import { type PolicyDocument, effectiveSeverity } from '../policy/index.ts';
import { type Allegation, CHILD_SAFETY_CATEGORY, assessAllegation, findClause } from './allegations.ts';
import type { ReviewContext } from './context.ts';
import { type ClassifierView, type FiledReport, fileIntake, withinEvidenceLimit } from './intake.ts';
import { maxSeverity } from './priority.ts';
import { type ReviewSettings, loadSettings } from './settings.ts';

/** One moderation call's results, as the moderation route hands them to review. */
export interface ModerationOutcome {
  tenantId: string;
  actor: string;
  moderationId: string;
  /** The account the call named (OpenAI's `user`), when it named one. */
  account?: string | null;
  policyVersion: string;
  results: {
    index: number;
    /** sha256 of the text moderated; reports on the same text join the same case. */
    digest: string;
    /** The text itself when the caller has it; without it the reviewer sees the digest only. */
    text: string | null;
    category_scores: Record<string, number>;
    violations: { clause_id: string; category?: string; score?: number; evidence?: unknown[] }[];
  }[];
}

/**
 * Opens (or joins) a case for each moderation result the tenant wants a person to look at: one
 * whose highest score lies in the uncertainty band, or one that violates a clause of a listed
 * severity. Idempotent on the moderation id and the result's index.
 */
export async function queueModerationOutcome(context: ReviewContext, outcome: ModerationOutcome): Promise<FiledReport[]> {
  const settings = await loadSettings(context.store.db, outcome.tenantId);
  if (!settings.automatic_cases.enabled) return [];
  const policy = (await context.policies.current(outcome.tenantId)).document;
  const filed: FiledReport[] = [];
  for (const result of outcome.results) {
    const allegation = allegationFor(policy, settings, result);
    if (!allegation) continue;
    const classifier: ClassifierView = { category_scores: result.category_scores, violations: result.violations, policy_version: outcome.policyVersion };
    filed.push(
      await fileIntake(context, {
        tenantId: outcome.tenantId,
        idempotencyKey: `moderation:${outcome.moderationId}:${result.index}`,
        bodyDigest: sha256Hex(canonicalJson({ digest: result.digest, classifier })),
        source: 'moderation',
        reporter: 'classifier',
        submittedBy: outcome.actor,
        target: { content: { digest: result.digest, type: 'text' }, ...(outcome.account ? { account: outcome.account } : {}) },
        allegation,
        clauseId: allegation.clauseIds[0] ?? null,
        category: allegation.categories[0] ?? null,
        text: null,
        evidence: [],
        classifier,
        ...(result.text === null ? {} : { contentText: withinEvidenceLimit(result.text) }),
      }),
    );
  }
  return filed;
}

/** Why a result needs review, or null when the classifier's verdict can stand on its own. */
export function allegationFor(policy: PolicyDocument, settings: ReviewSettings, result: ModerationOutcome['results'][number]): Allegation | null {
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
