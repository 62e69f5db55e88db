import { describe, expect, it } from 'vitest';
import { bundledEnforcementPolicy } from './enforcement-policy.ts';
import { type ClassifiedViolation, decayFactor, decayed, strikeWeight } from './strikes.ts';

const policy = bundledEnforcementPolicy();
const now = new Date('2026-03-01T00:00:00.000Z');
const DAY = 24 * 60 * 60 * 1000;

function violation(overrides: Partial<ClassifiedViolation> = {}): ClassifiedViolation {
  return { clause_id: 'universal.2', category: 'violence', severity: 'high', score: 0.9, child_safety: false, exempt: false, exemption_id: null, ...overrides };
}

describe('decay', () => {
  it('halves a strike every half-life and never grows it', () => {
    expect(decayFactor(now, now, 30)).toBe(1);
    expect(decayFactor(now, new Date(now.getTime() + 30 * DAY), 30)).toBeCloseTo(0.5, 12);
    expect(decayFactor(now, new Date(now.getTime() + 90 * DAY), 30)).toBeCloseTo(0.125, 12);
    expect(decayFactor(new Date(now.getTime() + DAY), now, 30)).toBe(1);
  });
});

describe('strikeWeight', () => {
  it('counts the most severe counted violation once', () => {
    expect(strikeWeight([violation({ severity: 'low' }), violation({ severity: 'high' })], policy)).toBe(4);
    expect(strikeWeight([violation({ severity: 'high', exempt: true }), violation({ severity: 'low' })], policy)).toBe(1);
    expect(strikeWeight([violation({ exempt: true })], policy)).toBe(0);
  });
});

describe('decayed', () => {
  it('carries a kept score forward in time', () => {
    expect(decayed(12, now, new Date(now.getTime() + 60 * DAY), 30)).toBeCloseTo(3, 12);
  });
});
