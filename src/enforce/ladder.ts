import { type EnforcementPolicy, type Level, type Rung, rungIndex } from './enforcement-policy.ts';
import type { ClassifiedViolation } from './strikes.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

export type Trigger = 'threshold' | 'severity_floor' | 'child_safety';

export interface Escalation {
  rung: Rung;
  trigger: Trigger;
  /** The threshold the score reached, for a threshold trigger. */
  threshold: number | null;
  endsAt: Date | null;
  clauseIds: string[];
}

/** An action as the ladder needs to see it. */
export interface LadderAction {
  rung: string;
  ends_at: string | null;
  reversed_at: string | null;
}

/** The highest rung the account has reached and not had reversed: where the next escalation starts. */
export function ladderLevel(actions: LadderAction[]): Level {
  return highest(actions.filter((a) => !a.reversed_at));
}

/** The highest rung whose restriction applies now (a suspension past its end time no longer does). */
export function levelInForce(actions: LadderAction[], now: Date): Level {
  return highest(actions.filter((a) => isInForce(a, now)));
}

export function isInForce(action: LadderAction, now: Date): boolean {
  return !action.reversed_at && (action.ends_at === null || new Date(action.ends_at).getTime() > now.getTime());
}

function highest(actions: LadderAction[]): Level {
  return actions.reduce<Level>((top, a) => (rungIndex(a.rung as Rung) > rungIndex(top) ? (a.rung as Rung) : top), 'none');
}

interface Candidate {
  rung: Rung;
  trigger: Trigger;
  threshold: number | null;
  clauseIds: string[];
}

/**
 * The action one event calls for, if any. Progressive discipline: a score reaching the next
 * rung's threshold climbs exactly one rung; a severity floor or child safety may skip rungs, and
 * re-applies when the rung it demands is no longer in force (an expired suspension).
 */
export function decideEscalation(input: {
  policy: EnforcementPolicy;
  level: Level;
  inForce: Level;
  score: number;
  violations: ClassifiedViolation[];
  now: Date;
}): Escalation | null {
  const counted = input.violations.filter((v) => !v.exempt);
  if (counted.length === 0) return null;
  const candidates = candidatesFor(input.policy, input.level, input.score, counted);
  const levelAt = rungIndex(input.level);
  const inForceAt = rungIndex(input.inForce);
  const chosen = candidates
    .filter((c) => rungIndex(c.rung) > levelAt || (c.trigger !== 'threshold' && rungIndex(c.rung) > inForceAt))
    .sort((a, b) => rungIndex(b.rung) - rungIndex(a.rung) || TRIGGER_RANK[b.trigger] - TRIGGER_RANK[a.trigger])[0];
  if (!chosen) return null;
  return { ...chosen, endsAt: endOf(input.policy, chosen, input.now) };
}

const TRIGGER_RANK: Record<Trigger, number> = { threshold: 0, severity_floor: 1, child_safety: 2 };

function candidatesFor(policy: EnforcementPolicy, level: Level, score: number, counted: ClassifiedViolation[]): Candidate[] {
  const candidates: Candidate[] = [];
  const next = policy.ladder.find((step) => rungIndex(step.rung) > rungIndex(level));
  if (next && score >= next.threshold) {
    candidates.push({ rung: next.rung, trigger: 'threshold', threshold: next.threshold, clauseIds: unique(counted.map((v) => v.clause_id)) });
  }
  for (const violation of counted) {
    const floor = policy.severity_floor[violation.severity];
    if (floor) candidates.push({ rung: floor, trigger: 'severity_floor', threshold: null, clauseIds: [violation.clause_id] });
  }
  const childSafety = counted.filter((v) => v.child_safety);
  if (childSafety.length > 0) {
    candidates.push({ rung: policy.child_safety.rung, trigger: 'child_safety', threshold: null, clauseIds: unique(childSafety.map((v) => v.clause_id)) });
  }
  return candidates;
}

function endOf(policy: EnforcementPolicy, chosen: Candidate, now: Date): Date | null {
  const days =
    chosen.trigger === 'child_safety'
      ? policy.child_safety.duration_days
      : policy.ladder.find((step) => step.rung === chosen.rung)?.duration_days ?? null;
  return days === null ? null : new Date(now.getTime() + days * DAY_MS);
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

