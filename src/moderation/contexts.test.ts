import { describe, expect, it } from 'vitest';
import { type PolicyDocument, bundledPolicies } from '../policy/index.ts';
import { TenantModerationCache } from './contexts.ts';

function countingSource(overrides: Record<string, number> = { hate: 0.3 }) {
  const reads = { policy: 0, overrides: 0 };
  let failNext = false;
  const source = {
    reads,
    failNextRead: () => (failNext = true),
    policy: async (): Promise<PolicyDocument> => {
      reads.policy += 1;
      if (failNext) {
        failNext = false;
        throw new Error('database unavailable');
      }
      return bundledPolicies().at(-1)!;
    },
    overrides: async () => {
      reads.overrides += 1;
      return overrides;
    },
  };
  return source;
}

describe('TenantModerationCache', () => {
  it('reads a tenant once until it is invalidated, with thresholds merged over the defaults', async () => {
    const source = countingSource();
    const cache = new TenantModerationCache(source, { hate: 0.5, violence: 0.6 });
    const [first, second] = await Promise.all([cache.get('t1'), cache.get('t1')]);
    expect(second).toBe(first);
    expect(first.thresholds).toEqual({ hate: 0.3, violence: 0.6 });
    await cache.get('t1');
    expect(source.reads).toEqual({ policy: 1, overrides: 1 });
    cache.invalidate('t1');
    await cache.get('t1');
    expect(source.reads).toEqual({ policy: 2, overrides: 2 });
  });

  it('reads again after invalidate, for that tenant only, or for all with null', async () => {
    const source = countingSource();
    const cache = new TenantModerationCache(source, {});
    await Promise.all([cache.get('t1'), cache.get('t2')]);
    cache.invalidate('t1');
    await Promise.all([cache.get('t1'), cache.get('t2')]);
    expect(source.reads.policy).toBe(3);
    cache.invalidate(null);
    await Promise.all([cache.get('t1'), cache.get('t2')]);
    expect(source.reads.policy).toBe(5);
  });

  it('does not keep a failed read', async () => {
    const source = countingSource();
    const cache = new TenantModerationCache(source, {});
    source.failNextRead();
    await expect(cache.get('t1')).rejects.toThrow('database unavailable');
    await expect(cache.get('t1')).resolves.toMatchObject({ thresholds: { hate: 0.3 } });
  });
});
