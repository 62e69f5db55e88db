import type { Category } from '../common/index.ts';
import type { Clause, PolicyDocument, Severity } from './document.ts';
import { SURFACES, effectiveSeverity } from './document.ts';

export type Surface = Exclude<(typeof SURFACES)[number], 'all'>;
export type Scores = Partial<Record<Category, number>>;

/** A clause broken through one of its categories, with what showed it. */
export interface Violation<E> {
  clause_id: string;
  category: Category;
  severity: Severity;
  score: number;
  threshold: number;
  evidence: E[];
}

export interface ViolationInput<E extends { category: Category }> {
  document: PolicyDocument;
  scores: Scores;
  /** Per-category thresholds in force (the model's defaults with the tenant's overrides applied). */
  thresholds: Scores;
  evidence: E[];
  /** Where the content was seen: clauses that apply to it, or to `all`, are checked. */
  surface: Surface;
}

/** Categories whose score reached its threshold. A category without a threshold is never flagged. */
export function flaggedCategories(scores: Scores, thresholds: Scores): Category[] {
  const flagged: Category[] = [];
  for (const key in scores) {
    const category = key as Category;
    const threshold = thresholds[category];
    if (threshold !== undefined && scores[category]! >= threshold) flagged.push(category);
  }
  return flagged;
}

export function clauseApplies(clause: Clause, surface: Surface): boolean {
  return clause.applies_to.includes('all') || clause.applies_to.includes(surface);
}

/** Every clause that applies to the surface and is enforced through a flagged category, once per category. */
export function findViolations<E extends { category: Category }>(input: ViolationInput<E>): Violation<E>[] {
  const flaggedList = flaggedCategories(input.scores, input.thresholds);
  if (!flaggedList.length) return [];
  const flagged = new Set(flaggedList);
  const violations: Violation<E>[] = [];
  for (const clause of input.document.clauses) {
    if (!clauseApplies(clause, input.surface)) continue;
    for (const category of clause.categories) {
      if (!flagged.has(category)) continue;
      violations.push({
        clause_id: clause.id,
        category,
        severity: effectiveSeverity(clause, category),
        score: input.scores[category]!,
        threshold: input.thresholds[category]!,
        evidence: input.evidence.filter((e) => e.category === category),
      });
    }
  }
  return violations;
}

/** Model defaults with a tenant's overrides on top. */
export function effectiveThresholds(defaults: Scores, overrides: Scores): Scores {
  return { ...defaults, ...overrides };
}
