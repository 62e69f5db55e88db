import type { Migration } from 'kysely';
import type { Dialect } from '../connection.ts';
import { foundation } from './0001_foundation.ts';
import { enforcement } from './0002_enforcement.ts';
import { detection } from './0003_detection.ts';
import { review } from './0004_review.ts';
import { storeNotify } from './0006_store_notify.ts';
import { reviewIntegration } from './0007_review_integration.ts';
import { hashBanks } from './0008_hash_banks.ts';
import { auditHead } from './0009_audit_head.ts';
import { rulesTrends } from './0010_rules_trends.ts';
import { hotPath } from './0011_hot_path.ts';
import { tenantRateLimits } from './0012_tenant_rate_limits.ts';
import { learning } from './0016_learning.ts';
import { judges } from './0014_judges.ts';

/** Every migration, in order. Names are permanent: add new ones at the end. */
export function allMigrations(dialect: Dialect): Record<string, Migration> {
  return {
    '0001_foundation': foundation(dialect),
    '0002_enforcement': enforcement(dialect),
    '0003_detection': detection(dialect),
    '0004_review': review(dialect),
    '0006_store_notify': storeNotify(dialect),
    '0007_review_integration': reviewIntegration(),
    '0008_hash_banks': hashBanks(dialect),
    '0009_audit_head': auditHead(),
    '0010_rules_trends': rulesTrends(dialect),
    '0011_hot_path': hotPath(),
    '0012_tenant_rate_limits': tenantRateLimits(),
    '0016_learning': learning(dialect),
    '0014_judges': judges(),
  };
}
