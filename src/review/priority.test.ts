import { describe, expect, it } from 'vitest';
import { bundledPolicies } from '../policy/index.ts';
import { allegationFor } from './automatic.ts';
import { CHILD_SAFETY_BOOST, priorityOf, slaDeadline } from './priority.ts';
import { DEFAULT_REVIEW_SETTINGS } from './settings.ts';

describe('priority', () => {
  const base = { severity: 'medium' as const, classifierScore: null, reportCount: 1, childSafety: false };

  it('rises with severity, classifier score and report count', () => {
    expect(priorityOf(base)).toBe(25);
    expect(priorityOf({ ...base, severity: 'critical' })).toBe(50);
    expect(priorityOf({ ...base, classifierScore: 1 })).toBe(55);
    expect(priorityOf({ ...base, reportCount: 4 })).toBe(35);
    expect(priorityOf({ ...base, reportCount: 1000 })).toBe(45);
  });

  it('puts child safety above everything else', () => {
    const top = priorityOf({ severity: 'critical', classifierScore: 1, reportCount: 1000, childSafety: false });
    expect(priorityOf({ ...base, severity: 'low', childSafety: true })).toBeGreaterThan(top);
    expect(priorityOf({ ...base, childSafety: true })).toBe(25 + CHILD_SAFETY_BOOST);
  });

  it('sets the SLA deadline by severity, child safety taking the critical one', () => {
    const opened = new Date('2026-01-01T00:00:00Z');
    expect(slaDeadline(opened, 'low', false, DEFAULT_REVIEW_SETTINGS.sla_hours).toISOString()).toBe('2026-01-04T00:00:00.000Z');
    expect(slaDeadline(opened, 'low', true, DEFAULT_REVIEW_SETTINGS.sla_hours).toISOString()).toBe('2026-01-01T01:00:00.000Z');
  });
});

describe('automatic cases', () => {
  const policy = bundledPolicies()[0]!;
  const settings = DEFAULT_REVIEW_SETTINGS;
  const result = (scores: Record<string, number>, violations: { clause_id: string; category?: string }[] = []) => ({ index: 0, digest: 'd', text: null, category_scores: scores, violations });

  it('queues a result in the uncertainty band and ignores a confident one', () => {
    expect(allegationFor(policy, settings, result({ harassment: 0.55 }))).toMatchObject({ categories: ['harassment'] });
    expect(allegationFor(policy, settings, result({ harassment: 0.1 }))).toBeNull();
    expect(allegationFor(policy, settings, result({ harassment: 0.95 }))).toBeNull();
  });

  it('queues a violation of a high or critical clause whatever its score, flagging child safety', () => {
    const found = allegationFor(policy, settings, result({ 'sexual/minors': 0.99 }, [{ clause_id: 'universal.1', category: 'sexual/minors' }]));
    expect(found).toMatchObject({ clauseIds: ['universal.1'], severity: 'critical', childSafety: true });
    expect(allegationFor(policy, { ...settings, automatic_cases: { ...settings.automatic_cases, severities: ['critical'] } }, result({ illicit: 0.99 }, [{ clause_id: 'universal.2' }]))).toBeNull();
  });
});
