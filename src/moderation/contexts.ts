import { TenantCache } from '../common/index.ts';
import type { CategoryScores } from '../detect/index.ts';
import { type PolicyDocument, effectiveThresholds } from '../policy/index.ts';

/** What a tenant's moderation needs from storage: its current policy and its threshold overrides. */
export interface TenantPolicySource {
  policy(tenantId: string): Promise<PolicyDocument>;
  overrides(tenantId: string): Promise<CategoryScores>;
}

export interface TenantModeration {
  document: PolicyDocument;
  thresholds: CategoryScores;
}

/**
 * Each tenant's policy and effective thresholds, cached so that a moderation call does not read
 * the database. Dropped when either changes (see db's ChangeFeed: at once in this process, within
 * a poll in the others).
 */
export class TenantModerationCache {
  private readonly cache: TenantCache<TenantModeration>;

  constructor(
    private readonly source: TenantPolicySource,
    private readonly defaults: CategoryScores,
  ) {
    this.cache = new TenantCache((tenantId) => this.load(tenantId));
  }

  get(tenantId: string): Promise<TenantModeration> {
    return this.cache.get(tenantId);
  }

  /** Drops one tenant's entry, or every tenant's with null. */
  invalidate(tenantId: string | null): void {
    this.cache.invalidate(tenantId);
  }

  private async load(tenantId: string): Promise<TenantModeration> {
    const [document, overrides] = await Promise.all([this.source.policy(tenantId), this.source.overrides(tenantId)]);
    return { document, thresholds: effectiveThresholds(this.defaults, overrides) };
  }
}
