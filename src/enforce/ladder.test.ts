import { describe, expect, it } from 'vitest';
import { bundledEnforcementPolicy } from './enforcement-policy.ts';
import { decideEscalation, ladderLevel, levelInForce } from './ladder.ts';
import type { ClassifiedViolation } from './strikes.ts';

const policy = bundledEnforcementPolicy();
const now = new Date('2026-03-01T00:00:00.000Z');
const DAY = 24 * 60 * 60 * 1000;

function violation(overrides: Partial<ClassifiedViolation> = {}): ClassifiedViolation {
  return { clause_id: 'universal.2', category: 'violence', severity: 'high', score: 0.9, child_safety: false, exempt: false, exemption_id: null, ...overrides };
}

describe('decideEscalation', () => {
  const decide = (level: Parameters<typeof decideEscalation>[0]['level'], score: number, violations = [violation()], inForce = level) =>
    decideEscalation({ policy, level, inForce, score, violations, now });

  it('climbs exactly one rung when the score passes several thresholds', () => {
    expect(decide('none', 100)).toMatchObject({ rung: 'warning', trigger: 'threshold', threshold: 1 });
    expect(decide('warning', 100)).toMatchObject({ rung: 'sharing_restricted' });
    expect(decide('warning', 3.9)).toBeNull();
  });

  it('gives a suspension its end time and terminates at the top', () => {
    expect(decide('monetization_ineligible', 14)?.endsAt?.getTime()).toBe(now.getTime() + 14 * DAY);
    expect(decide('suspended', 24)).toMatchObject({ rung: 'terminated', endsAt: null });
    expect(decide('terminated', 1000)).toBeNull();
  });

  it('does not act on exempted violations', () => {
    expect(decide('none', 100, [violation({ exempt: true })])).toBeNull();
  });

  it('skips rungs for a severity floor and for child safety', () => {
    expect(decide('none', 8, [violation({ severity: 'critical' })])).toMatchObject({ rung: 'suspended', trigger: 'severity_floor' });
    const childSafety = decide('warning', 8, [violation({ severity: 'critical', child_safety: true, clause_id: 'universal.1', category: 'sexual/minors' })]);
    expect(childSafety).toMatchObject({ rung: 'suspended', trigger: 'child_safety', endsAt: null, clauseIds: ['universal.1'] });
  });

  it('suspends again for child safety when an earlier suspension has ended, but not for an ordinary threshold', () => {
    const cs = [violation({ severity: 'critical', child_safety: true })];
    expect(decide('suspended', 10, cs, 'monetization_ineligible')).toMatchObject({ rung: 'suspended', trigger: 'child_safety' });
    expect(decide('suspended', 10, cs, 'suspended')).toBeNull();
    expect(decide('suspended', 10, [violation()], 'monetization_ineligible')).toBeNull();
  });
});

describe('ladder levels', () => {
  const actions = [
    { rung: 'warning', ends_at: null, reversed_at: null },
    { rung: 'suspended', ends_at: new Date(now.getTime() + DAY).toISOString(), reversed_at: null },
    { rung: 'terminated', ends_at: null, reversed_at: now.toISOString() },
  ];
  it('ignores reversed actions and ends suspensions on time', () => {
    expect(ladderLevel(actions)).toBe('suspended');
    expect(levelInForce(actions, now)).toBe('suspended');
    expect(levelInForce(actions, new Date(now.getTime() + DAY))).toBe('warning');
    expect(ladderLevel([])).toBe('none');
  });
});
