import type { Clock } from '../common/index.ts';
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

interface Entry {
  value: Promise<TenantModeration>;
  expiresAt: number;
}

/**
 * Each tenant's policy and effective thresholds, cached so that a moderation call does not read
 * the database. Whoever changes either calls invalidate(); the time-to-live bounds staleness for
 * changes this process does not see (another server, the CLI).
 */
export class TenantModerationCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly source: TenantPolicySource,
    private readonly defaults: CategoryScores,
    private readonly clock: Clock,
    private readonly ttlMs: number = DEFAULT_TTL_MS,
  ) {}

  get(tenantId: string): Promise<TenantModeration> {
    const now = this.clock.now().getTime();
    const cached = this.entries.get(tenantId);
    if (cached && cached.expiresAt > now) return cached.value;
    const entry: Entry = { value: this.load(tenantId), expiresAt: now + this.ttlMs };
    this.entries.set(tenantId, entry);
    // A failed read is not cached: the next call tries again.
    entry.value.catch(() => {
      if (this.entries.get(tenantId) === entry) this.entries.delete(tenantId);
    });
    return entry.value;
  }

  invalidate(tenantId: string): void {
    this.entries.delete(tenantId);
  }

  private async load(tenantId: string): Promise<TenantModeration> {
    const [document, overrides] = await Promise.all([this.source.policy(tenantId), this.source.overrides(tenantId)]);
    return { document, thresholds: effectiveThresholds(this.defaults, overrides) };
  }
}

const DEFAULT_TTL_MS = 2000;
