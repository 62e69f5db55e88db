import type { Clock } from '../common/index.ts';
import type { FollowUp } from '../moderation/index.ts';
import type { TrendCounter } from './counts.ts';

/**
 * Counts every moderation result in trends, after the tenant's rules amended it: one point per
 * violation (its category and clause; decided by `rule` when a rule made it, else `moderation`),
 * and one point without category or clause for a result that violates nothing (the volume line;
 * `rule` when a rule blocked it regardless). Recording is a map update; the counter writes later.
 * Subscribe to ModerationService.followUps.
 */
export function countModerations(counter: TrendCounter, clock: Clock) {
  return (followUp: FollowUp): void => {
    const at = clock.now();
    const { tenantId, surface } = followUp;
    for (const result of followUp.results) {
      if (result.violations.length === 0) {
        counter.record({ tenantId, at, category: null, clause: null, surface, source: result.rules?.block ? 'rule' : 'moderation' });
        continue;
      }
      for (const violation of result.violations) {
        counter.record({ tenantId, at, category: violation.category, clause: violation.clause_id, surface, source: violation.decided_by === 'rule' ? 'rule' : 'moderation' });
      }
    }
  };
}
