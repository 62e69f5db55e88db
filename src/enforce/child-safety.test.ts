import { describe, expect, it } from 'vitest';
import { bundledPolicies } from '../policy/index.ts';
import { isChildSafetyClause, isChildSafetyViolation } from './child-safety.ts';

const clauses = new Map(bundledPolicies().at(-1)!.clauses.map((c) => [c.id, c]));
const clause = (id: string) => clauses.get(id)!;

describe('child-safety clauses and violations', () => {
  it('marks every clause enforced through sexual/minors, and only those', () => {
    const marked = [...clauses.values()].filter(isChildSafetyClause).map((c) => c.id);
    expect(marked).toEqual(['universal.1', 'universal.3']);
  });

  it('treats a violation as child safety by its category, or by a clause about nothing else', () => {
    expect(isChildSafetyViolation(clause('universal.1'), 'sexual/minors')).toBe(true);
    expect(isChildSafetyViolation(clause('universal.1'), 'illicit')).toBe(false);
    expect(isChildSafetyViolation(clause('universal.1'), null)).toBe(false);
    expect(isChildSafetyViolation({ ...clause('universal.1'), categories: ['sexual/minors'] }, null)).toBe(true);
    expect(isChildSafetyViolation(clause('api.4.1'), 'sexual')).toBe(false);
  });
});
