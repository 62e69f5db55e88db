/**
 * Values read per tenant (its policy, thresholds, settings), kept in memory until invalidated, so
 * that the request path reads no database. Concurrent first reads share one load; a failed load
 * is not kept. Whoever changes a value invalidates it (see db's ChangeFeed, which also relays
 * other processes' changes).
 */
export class TenantCache<T> {
  private readonly entries = new Map<string, Promise<T>>();

  constructor(private readonly load: (tenantId: string) => Promise<T>) {}

  get(tenantId: string): Promise<T> {
    const cached = this.entries.get(tenantId);
    if (cached) return cached;
    const loading = this.load(tenantId);
    this.entries.set(tenantId, loading);
    loading.catch(() => {
      if (this.entries.get(tenantId) === loading) this.entries.delete(tenantId);
    });
    return loading;
  }

  /** Drops one tenant's value, or every tenant's with null. A load already under way is not kept either. */
  invalidate(tenantId: string | null): void {
    if (tenantId === null) this.entries.clear();
    else this.entries.delete(tenantId);
  }
}
