import { InvalidInput } from '../common/index.ts';
import { type Clause, type PolicyDocument, type Severity, effectiveSeverity } from '../policy/index.ts';
import { maxSeverity } from './priority.ts';

export const CHILD_SAFETY_CATEGORY = 'sexual/minors';
/** Categories whose content the console blurs until the reviewer chooses to see it. */
const SENSITIVE_PREFIXES = ['sexual', 'violence', 'self-harm'];

export interface Allegation {
  clauseIds: string[];
  categories: string[];
  severity: Severity;
  childSafety: boolean;
}

/**
 * What a report alleges, checked against the tenant's current policy: a clause's severity (its
 * override for the alleged category when it has one), or for a bare category the most severe
 * clause enforced through it.
 */
export function assessAllegation(policy: PolicyDocument, clauseId: string | null, category: string | null, param = ''): Allegation {
  if (!clauseId && !category) throw new InvalidInput('Name the clause or the category the report alleges.', `${param}clause_id`);
  const severities: Severity[] = [];
  if (clauseId) {
    const clause = findClause(policy, clauseId, `${param}clause_id`);
    severities.push(effectiveSeverity(clause, category));
  } else {
    const enforcing = policy.clauses.filter((c) => (c.categories as string[]).includes(category!));
    severities.push(...enforcing.map((c) => effectiveSeverity(c, category)));
  }
  return {
    clauseIds: clauseId ? [clauseId] : [],
    categories: category ? [category] : [],
    severity: maxSeverity(severities),
    childSafety: category === CHILD_SAFETY_CATEGORY,
  };
}

export function findClause(policy: PolicyDocument, clauseId: string, param: string): Clause {
  const clause = policy.clauses.find((c) => c.id === clauseId);
  if (!clause) throw new InvalidInput(`Clause "${clauseId}" is not in the tenant's policy ${policy.version}.`, param, 'unknown_clause');
  return clause;
}

export function isSensitive(categories: string[]): boolean {
  return categories.some((c) => SENSITIVE_PREFIXES.some((prefix) => c === prefix || c.startsWith(`${prefix}/`)));
}
