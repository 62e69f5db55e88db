import { TenantCache } from '../common/index.ts';
import type { CategoryScores } from '../detect/index.ts';
import { type PolicyDocument, effectiveThresholds } from '../policy/index.ts';
import type { ShadowModel, TenantScoreModel } from './moderator.ts';

/** What a tenant's moderation needs from storage: its current policy, its threshold overrides and its own models. */
export interface TenantPolicySource {
  policy(tenantId: string): Promise<PolicyDocument>;
  overrides(tenantId: string): Promise<CategoryScores>;
  /** The tenant's served model and the one in shadow (learning); absent: the base model alone. */
  models?(tenantId: string): Promise<{ model: TenantScoreModel | null; shadow: ShadowModel | null }>;
}

export interface TenantModeration {
  document: PolicyDocument;
  thresholds: CategoryScores;
  model: TenantScoreModel | null;
  shadow: ShadowModel | null;
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

  /** The tenant's entry when it is in memory (the hot path's case), without a promise. */
  peek(tenantId: string): TenantModeration | undefined {
    return this.cache.peek(tenantId);
  }

  /** Drops one tenant's entry, or every tenant's with null. */
  invalidate(tenantId: string | null): void {
    this.cache.invalidate(tenantId);
  }

  private async load(tenantId: string): Promise<TenantModeration> {
    const [document, overrides, models] = await Promise.all([
      this.source.policy(tenantId),
      this.source.overrides(tenantId),
      this.source.models?.(tenantId) ?? { model: null, shadow: null },
    ]);
    return { document, thresholds: effectiveThresholds(this.defaults, overrides), ...models };
  }
}
