import { describe, expect, it } from 'vitest';
import { bucketStart } from './counts.ts';
import { scoreHour } from './detector.ts';
import { DEFAULT_EVALUATION, evaluateDetectors } from './evaluation.ts';

describe('buckets', () => {
  it('start at the minute, hour and UTC day', () => {
    const at = Date.parse('2026-03-02T23:59:59.999Z');
    expect(bucketStart(at, 'minute')).toBe('2026-03-02T23:59:00.000Z');
    expect(bucketStart(at, 'hour')).toBe('2026-03-02T23:00:00.000Z');
    expect(bucketStart(at + 1, 'day')).toBe('2026-03-03T00:00:00.000Z');
  });
});

describe('spike detector', () => {
  it('waits for a week of history and ignores a quiet series gaining a flag', () => {
    const quiet = new Array<number>(24 * 14).fill(0);
    expect(scoreHour(quiet.slice(0, 24 * 6 + 1), 24 * 6)).toBeNull();
    quiet.push(3);
    expect(scoreHour(quiet, quiet.length - 1)!.spike).toBe(false);
    quiet[quiet.length - 1] = 12;
    expect(scoreHour(quiet, quiet.length - 1)!.spike).toBe(true);
  });

  it('finds injected spikes on synthetic seasonal series with few false alarms, unlike a non-seasonal detector', () => {
    const [seasonal, trailing] = evaluateDetectors(DEFAULT_EVALUATION);
    expect(seasonal!.detection_rate).toBeGreaterThan(0.8);
    expect(seasonal!.by_multiplier.x5!.detected / seasonal!.by_multiplier.x5!.spikes).toBeGreaterThan(0.95);
    expect(seasonal!.median_delay_hours).toBe(0);
    expect(seasonal!.false_alarms_per_series_week).toBeLessThan(0.05);
    expect(trailing!.false_alarms_per_series_week).toBeGreaterThan(10 * seasonal!.false_alarms_per_series_week);
  });
});
