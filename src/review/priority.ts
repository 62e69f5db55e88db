import type { Severity } from '../policy/index.ts';

const SEVERITY_WEIGHT: Record<Severity, number> = { low: 0.25, medium: 0.5, high: 0.75, critical: 1 };
const SEVERITY_ORDER: Severity[] = ['low', 'medium', 'high', 'critical'];

/** Child-safety cases sort above every other case, whatever their other factors. */
export const CHILD_SAFETY_BOOST = 100;

export interface PriorityFactors {
  severity: Severity;
  /** The classifier's highest score for the content, 0..1; null when no classifier saw it. */
  classifierScore: number | null;
  reportCount: number;
  childSafety: boolean;
}

/**
 * 0–100 (plus the child-safety boost): half clause severity, 30% classifier score, 20% reports.
 * Report count counts logarithmically (1 report adds nothing, 16 or more add the full 20) so a
 * pile-on raises a case without drowning out severity.
 */
export function priorityOf(factors: PriorityFactors): number {
  const reports = Math.min(1, Math.log2(Math.max(1, factors.reportCount)) / 4);
  const base = 0.5 * SEVERITY_WEIGHT[factors.severity] + 0.3 * (factors.classifierScore ?? 0) + 0.2 * reports;
  const score = Math.round(base * 10_000) / 100;
  return factors.childSafety ? score + CHILD_SAFETY_BOOST : score;
}

export function maxSeverity(severities: Severity[]): Severity {
  return severities.reduce<Severity>((top, s) => (SEVERITY_ORDER.indexOf(s) > SEVERITY_ORDER.indexOf(top) ? s : top), 'low');
}

/** When a case must be decided: opened + the tenant's SLA for its severity (child safety: the critical SLA). */
export function slaDeadline(openedAt: Date, severity: Severity, childSafety: boolean, slaHours: Record<Severity, number>): Date {
  const hours = slaHours[childSafety ? 'critical' : severity];
  return new Date(openedAt.getTime() + hours * 3_600_000);
}
