import { type Category, MODERATION_CATEGORIES, type ModerationCategory, WARDEN_CATEGORIES, type WardenCategory } from '../common/index.ts';
import type { CategoryScores, Evidence } from '../detect/index.ts';
import { type PolicyDocument, type Violation, effectiveSeverity, findViolations } from '../policy/index.ts';
import type { ModerationContext, ModerationResult } from './moderator.ts';
import type { ModerationItem } from './request.ts';

/**
 * One request's verdicts after detection and before the response is built: verdict stages (the
 * tenant's rules) read it and may replace entries of `results`. Enforcement and review then plan
 * from the amended results, so a rule's flag is acted on like the detector's.
 */
export interface VerdictDraft {
  tenantId: string;
  /** The response's id: rule hits name the result by it (`<id>:<index>`). */
  moderationId: string;
  /** The account the request named, or null. */
  account: string | null;
  at: Date;
  context: ModerationContext;
  /** Each input's text parts, in order. */
  items: ModerationItem[];
  results: ModerationResult[];
}

/** A violation in a moderation result; one that a tenant rule decided names the rules (`decided_by: rule`). */
export type ModerationViolation = Violation<Evidence> & { decided_by?: 'rule'; rules?: string[] };

/** What the live rule version asked for one result, as the `warden.rules` extension shows it. */
export interface RulesView {
  version: string;
  /** The live rules that matched (shadow rules never show here). */
  matched: string[];
  labels: string[];
  block: boolean;
  /** The review priority a rule asked for (0–100), or null. */
  review_priority: number | null;
  notify: { rule: string; message: string | null }[];
}

/** The live rules' merged actions on one result, with the rules behind each clause and score. */
export interface RuleOutcome extends RulesView {
  clauses: { clause_id: string; rules: string[] }[];
  scores: { category: Category; value: number; rules: string[] }[];
}

const moderationCategories = new Set<string>(MODERATION_CATEGORIES);
const wardenCategories = new Set<string>(WARDEN_CATEGORIES);

/**
 * The result as the live rules leave it. A set or raised score replaces the category's score and
 * re-derives its flag and violations against the thresholds (a lowered score can clear them); a
 * flagged clause becomes a violation (its most likely category flagged); `block` flags the result.
 * Every violation a rule caused says `decided_by: rule` and names the rules.
 */
export function withRuleOutcome(result: ModerationResult, outcome: RuleOutcome, context: ModerationContext): ModerationResult {
  const next = structuredClone(result);
  const { document, thresholds } = context;
  const scores = scoresOf(next);
  const changed = new Map<Category, string[]>();
  for (const { category, value, rules } of outcome.scores) {
    scores[category] = value;
    changed.set(category, rules);
    setCategory(next, category, value, value >= (thresholds[category] ?? Infinity));
  }
  const violations: ModerationViolation[] = next.warden.violations.filter((v) => !changed.has(v.category) || scores[v.category]! >= v.threshold);
  for (const violation of violations) if (changed.has(violation.category)) violation.score = scores[violation.category]!;
  const has = (clause: string, category: string) => violations.some((v) => v.clause_id === clause && v.category === category);
  const rescored = findViolations({ document, scores, thresholds, evidence: next.warden.evidence, surface: context.surface });
  for (const violation of rescored) {
    const rules = changed.get(violation.category);
    if (rules && !has(violation.clause_id, violation.category)) violations.push({ ...violation, decided_by: 'rule', rules });
  }
  for (const { clause_id, rules } of outcome.clauses) {
    if (violations.some((v) => v.clause_id === clause_id)) continue;
    const flagged = clauseViolation(document, clause_id, scores, thresholds, next.warden.evidence);
    if (!flagged) continue;
    violations.push({ ...flagged, decided_by: 'rule', rules });
    setCategory(next, flagged.category, flagged.score, true);
  }
  next.warden.violations = violations;
  next.flagged = outcome.block || MODERATION_CATEGORIES.some((c) => next.categories[c]);
  next.warden.flagged = outcome.block || violations.length > 0;
  const { version, matched, labels, block, review_priority, notify } = outcome;
  next.warden.rules = { version, matched, labels, block, review_priority, notify };
  // A verdict a rule amended (a flag, a score, a block) was decided by the rule.
  if (outcome.block || violations.some((v) => v.decided_by === 'rule') || changed.size) next.warden.decided_by = 'rule';
  return next;
}

function scoresOf(result: ModerationResult): CategoryScores {
  return { ...result.category_scores, ...result.warden.category_scores };
}

function setCategory(result: ModerationResult, category: Category, score: number, flagged: boolean): void {
  if (moderationCategories.has(category)) {
    result.category_scores[category as ModerationCategory] = score;
    result.categories[category as ModerationCategory] = flagged;
  } else if (wardenCategories.has(category)) {
    result.warden.category_scores[category as WardenCategory] = score;
    result.warden.categories[category as WardenCategory] = flagged;
  }
}

/**
 * The violation a rule's `flag_clause` makes: of the clause's categories, the one scored highest
 * (the detector's best guess at why); its score stays the detector's. Null when the policy in force
 * no longer has the clause (a rule version outlived it).
 */
function clauseViolation(document: PolicyDocument, clauseId: string, scores: CategoryScores, thresholds: CategoryScores, evidence: Evidence[]): Violation<Evidence> | null {
  const clause = document.clauses.find((c) => c.id === clauseId);
  if (!clause || clause.categories.length === 0) return null;
  const category = [...clause.categories].sort((a, b) => (scores[b] ?? 0) - (scores[a] ?? 0))[0]!;
  return {
    clause_id: clause.id,
    category,
    severity: effectiveSeverity(clause, category),
    score: scores[category] ?? 0,
    threshold: thresholds[category] ?? 1,
    evidence: evidence.filter((e) => e.category === category),
  };
}
