import { describe, expect, it } from 'vitest';
import { bundledPolicies } from './bundled.ts';
import { effectiveThresholds, findViolations, flaggedCategories } from './violations.ts';

const document = bundledPolicies()[0]!;

describe('flaggedCategories', () => {
  it('flags scores at or above their threshold, never a category without one', () => {
    expect(flaggedCategories({ hate: 0.5, violence: 0.49, sexual: 0.9 }, { hate: 0.5, violence: 0.5 })).toEqual(['hate']);
  });
});

describe('findViolations', () => {
  const evidence = [
    { category: 'privacy/sensitive-identifiers' as const, kind: 'ssn' },
    { category: 'profanity' as const, kind: 'profanity:fuck' },
  ];

  it('cites every applicable clause enforced through a flagged category, with its evidence', () => {
    const violations = findViolations({
      document,
      scores: { 'privacy/sensitive-identifiers': 1, profanity: 1, harassment: 0.2 },
      thresholds: { 'privacy/sensitive-identifiers': 0.5, profanity: 0.5, harassment: 0.5 },
      evidence,
      surface: 'api',
    });
    expect(violations.map((v) => v.clause_id)).toEqual(['universal.1', 'api.1.1']);
    expect(violations[0]).toEqual({
      clause_id: 'universal.1',
      category: 'privacy/sensitive-identifiers',
      severity: 'high',
      score: 1,
      threshold: 0.5,
      evidence: [evidence[0]],
    });
  });

  it('respects applies_to: gpts and store clauses only on their surfaces, `all` clauses everywhere', () => {
    const input = { document, scores: { 'privacy/sensitive-identifiers': 1, profanity: 1 }, thresholds: { 'privacy/sensitive-identifiers': 0.5, profanity: 0.5 }, evidence };
    expect(findViolations({ ...input, surface: 'gpts' }).map((v) => v.clause_id)).toEqual(['universal.1', 'chatgpt.1.1', 'chatgpt.1.2']);
    expect(findViolations({ ...input, surface: 'store' }).map((v) => v.clause_id)).toEqual(['universal.1', 'store.1']);
  });

  it('uses a clause’s severity override for the category', () => {
    const violations = findViolations({ document, scores: { 'sexual/minors': 0.9 }, thresholds: { 'sexual/minors': 0.3 }, evidence: [], surface: 'api' });
    expect(violations.map((v) => [v.clause_id, v.severity])).toEqual([
      ['universal.1', 'critical'],
      ['universal.3', expect.any(String)],
    ]);
  });

  it('finds nothing below the thresholds', () => {
    expect(findViolations({ document, scores: { hate: 0.4 }, thresholds: { hate: 0.5 }, evidence: [], surface: 'api' })).toEqual([]);
  });
});

describe('effectiveThresholds', () => {
  it('puts tenant overrides over model defaults', () => {
    expect(effectiveThresholds({ hate: 0.5, violence: 0.6 }, { hate: 0.2 })).toEqual({ hate: 0.2, violence: 0.6 });
  });
});
