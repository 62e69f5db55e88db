import { describe, expect, it } from 'vitest';
import { ManualClock } from '../common/index.ts';
import { JudgeGate } from './gate.ts';

function gate(limits: Partial<ConstructorParameters<typeof JudgeGate>[0]> = {}) {
  const clock = new ManualClock();
  const events: string[] = [];
  const g = new JudgeGate({ concurrency: 2, callsPerMinute: 100, waitMs: 50, breakerFailures: 3, cooldownMs: 10_000, ...limits }, clock, {
    breakerOpened: (failures) => events.push(`opened:${failures}`),
    breakerClosed: () => events.push('closed'),
  });
  return { g, clock, events };
}

const failure = { kind: 'server_error' as const, message: 'HTTP 500' };

describe('JudgeGate', () => {
  it('keeps calls in flight within the concurrency, handing a released slot to a waiter', async () => {
    const { g } = gate({ concurrency: 1, waitMs: 1000 });
    const first = await g.admit();
    expect(first.ok).toBe(true);
    const waiting = g.admit();
    if (first.ok) first.release();
    expect((await waiting).ok).toBe(true);
  });

  it('says overloaded when no slot frees up in time', async () => {
    const { g } = gate({ concurrency: 1, waitMs: 10 });
    await g.admit();
    expect(await g.admit()).toMatchObject({ ok: false, kind: 'overloaded' });
  });

  it('keeps to the calls per rolling minute', async () => {
    const { g, clock } = gate({ callsPerMinute: 2 });
    for (let i = 0; i < 2; i++) {
      const a = await g.admit();
      if (a.ok) a.release();
    }
    expect(await g.admit()).toMatchObject({ ok: false, kind: 'budget_exhausted' });
    clock.advance(60_001);
    expect((await g.admit()).ok).toBe(true);
  });

  it('opens after consecutive failures, lets one trial through after the cool-down, and closes on success', async () => {
    const { g, clock, events } = gate();
    for (let i = 0; i < 3; i++) {
      const a = await g.admit();
      if (a.ok) a.release();
      g.record(failure);
    }
    expect(events).toEqual(['opened:3']);
    expect(await g.admit()).toMatchObject({ ok: false, kind: 'breaker_open' });
    clock.advance(10_000);
    const trial = await g.admit();
    expect(trial.ok).toBe(true);
    expect(await g.admit()).toMatchObject({ ok: false, kind: 'breaker_open' });
    if (trial.ok) trial.release();
    g.record(null);
    expect(events).toEqual(['opened:3', 'closed']);
    expect((await g.admit()).ok).toBe(true);
  });

  it('reopens when the trial fails, and a success in between resets the count', async () => {
    const { g, clock, events } = gate({ breakerFailures: 2 });
    g.record(failure);
    g.record(null);
    g.record(failure);
    expect(events).toEqual([]);
    g.record(failure);
    expect(events).toEqual(['opened:2']);
    clock.advance(10_000);
    await g.admit();
    g.record(failure);
    expect(events).toEqual(['opened:2', 'opened:3']);
    expect(await g.admit()).toMatchObject({ ok: false, kind: 'breaker_open' });
  });
});
