import type { Severity } from '../policy/index.ts';
import type { EnforcementPolicy } from './enforcement-policy.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/** A violation as enforcement sees it: its effective severity and whether it counts. */
export interface ClassifiedViolation {
  clause_id: string;
  category: string | null;
  severity: Severity;
  score: number | null;
  child_safety: boolean;
  exempt: boolean;
  exemption_id: string | null;
}

/** How much of a strike from `from` is left at `to`: 0.5 per half-life, never more than 1. */
export function decayFactor(from: Date, to: Date, halfLifeDays: number): number {
  const elapsed = Math.max(0, to.getTime() - from.getTime());
  return 0.5 ** (elapsed / (halfLifeDays * DAY_MS));
}

/** The event's strike: the weight of its most severe counted violation (one incident, one strike). */
export function strikeWeight(violations: ClassifiedViolation[], policy: EnforcementPolicy): number {
  return violations.filter((v) => !v.exempt).reduce((max, v) => Math.max(max, policy.strike_weights[v.severity]), 0);
}

/** A score kept as of `since`, decayed to `now`. */
export function decayed(score: number, since: Date, now: Date, halfLifeDays: number): number {
  return score * decayFactor(since, now, halfLifeDays);
}
