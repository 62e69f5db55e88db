import { describe, expect, it } from 'vitest';
import { localDetection } from '../detect/index.ts';
import { bundledPolicies } from '../policy/index.ts';
import { Moderator, type ModerationContext } from './moderator.ts';
import { type RuleOutcome, withRuleOutcome } from './rule-outcome.ts';

const moderator = new Moderator(localDetection());
const context: ModerationContext = { document: bundledPolicies().at(-1)!, thresholds: moderator.defaultThresholds, surface: 'api' };
const outcome = (over: Partial<RuleOutcome>): RuleOutcome => ({ version: 'v1', matched: ['r'], labels: [], block: false, review_priority: null, notify: [], clauses: [], scores: [], ...over });

describe('withRuleOutcome', () => {
  it('a lowered score clears the category and its detector violations; the original is left alone', () => {
    const result = moderator.moderateItem(['I will find you and kill you, you worthless piece of trash'], context);
    const flagged = result.warden.violations.map((v) => v.category);
    expect(flagged).toContain('harassment');
    const next = withRuleOutcome(result, outcome({ scores: [{ category: 'harassment', value: 0, rules: ['allow'] }] }), context);
    expect(next.categories.harassment).toBe(false);
    expect(next.category_scores.harassment).toBe(0);
    expect(next.warden.violations.some((v) => v.category === 'harassment')).toBe(false);
    expect(result.warden.violations.map((v) => v.category)).toEqual(flagged);
  });

  it('block flags a clean result; a flagged clause on a clean result names the rule', () => {
    const clean = moderator.moderateItem(['Have a lovely day.'], context);
    const blocked = withRuleOutcome(clean, outcome({ block: true }), context);
    expect([blocked.flagged, blocked.warden.flagged, blocked.warden.violations]).toEqual([true, true, []]);
    expect(blocked.warden.rules).toEqual({ version: 'v1', matched: ['r'], labels: [], block: true, review_priority: null, notify: [] });
    const clause = withRuleOutcome(clean, outcome({ clauses: [{ clause_id: 'api.1.1', rules: ['r'] }] }), context);
    expect(clause.warden.violations).toEqual([expect.objectContaining({ clause_id: 'api.1.1', category: 'privacy/sensitive-identifiers', decided_by: 'rule', rules: ['r'] })]);
    expect(clause.warden.flagged).toBe(true);
    // A clause the policy no longer has is skipped rather than invented.
    expect(withRuleOutcome(clean, outcome({ clauses: [{ clause_id: 'gone.1', rules: ['r'] }] }), context).warden.violations).toEqual([]);
  });
});
