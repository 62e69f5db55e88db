import { describe, expect, it } from 'vitest';
import { ManualClock } from '../common/index.ts';
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
  it('reads a tenant once until its time-to-live passes, with thresholds merged over the defaults', async () => {
    const clock = new ManualClock();
    const source = countingSource();
    const cache = new TenantModerationCache(source, { hate: 0.5, violence: 0.6 }, clock, 1000);
    const [first, second] = await Promise.all([cache.get('t1'), cache.get('t1')]);
    expect(second).toBe(first);
    expect(first.thresholds).toEqual({ hate: 0.3, violence: 0.6 });
    clock.advance(999);
    await cache.get('t1');
    expect(source.reads).toEqual({ policy: 1, overrides: 1 });
    clock.advance(1);
    await cache.get('t1');
    expect(source.reads).toEqual({ policy: 2, overrides: 2 });
  });

  it('reads again after invalidate, for that tenant only', async () => {
    const source = countingSource();
    const cache = new TenantModerationCache(source, {}, new ManualClock());
    await Promise.all([cache.get('t1'), cache.get('t2')]);
    cache.invalidate('t1');
    await Promise.all([cache.get('t1'), cache.get('t2')]);
    expect(source.reads.policy).toBe(3);
  });

  it('does not keep a failed read', async () => {
    const source = countingSource();
    const cache = new TenantModerationCache(source, {}, new ManualClock());
    source.failNextRead();
    await expect(cache.get('t1')).rejects.toThrow('database unavailable');
    await expect(cache.get('t1')).resolves.toMatchObject({ thresholds: { hate: 0.3 } });
  });
});
