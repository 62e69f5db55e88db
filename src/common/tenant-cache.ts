/**
 * Values read per tenant (its policy, thresholds, settings), kept in memory until invalidated, so
 * that the request path reads no database. Concurrent first reads share one load; a failed load
 * is not kept. Whoever changes a value invalidates it (see db's ChangeFeed, which also relays
 * other processes' changes).
 *
 * @example
 * const settings = new TenantCache((tenantId) => readSettings(tenantId));
 * // The hot path takes the loaded value without a promise, and awaits only on a miss:
 * const value = settings.peek(tenantId) ?? (await settings.get(tenantId));
 */
export class TenantCache<T> {
  private readonly entries = new Map<string, Promise<T>>();
  /** The values of the entries whose load has finished, for peek(). */
  private readonly settled = new Map<string, { value: T }>();

  constructor(private readonly load: (tenantId: string) => Promise<T>) {}

  get(tenantId: string): Promise<T> {
    const cached = this.entries.get(tenantId);
    if (cached) return cached;
    const loading = this.load(tenantId);
    this.entries.set(tenantId, loading);
    loading.then(
      (value) => {
        // Kept only while this load is still the entry: an invalidation meanwhile wins.
        if (this.entries.get(tenantId) === loading) this.settled.set(tenantId, { value });
      },
      () => {
        if (this.entries.get(tenantId) === loading) this.entries.delete(tenantId);
      },
    );
    return loading;
  }

  /** The tenant's value when it is loaded, without a promise (the request path's case); undefined otherwise. */
  peek(tenantId: string): T | undefined {
    return this.settled.get(tenantId)?.value;
  }

  /** Drops one tenant's value, or every tenant's with null. A load already under way is not kept either. */
  invalidate(tenantId: string | null): void {
    if (tenantId === null) {
      this.entries.clear();
      this.settled.clear();
    } else {
      this.entries.delete(tenantId);
      this.settled.delete(tenantId);
    }
  }
}
