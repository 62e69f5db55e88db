/**
 * Spike detection on hourly counts against a seasonal baseline.
 *
 * The baseline for hour t is the same hour of day on each of the previous `baselineDays` days:
 * abuse follows the clock (people sleep), so "more than usual at 10:00" is the question, not
 * "more than the last few hours". Its centre is the median and its spread the MAD (scaled by
 * 1.4826 to estimate a standard deviation), both robust to an earlier spike sitting inside the
 * baseline. Counts are small and Poisson-like, so the spread is never taken below √median (and 1):
 * a quiet series with MAD 0 must not alarm on one extra flag. An hour alarms when its robust
 * z-score reaches `threshold` and it exceeds the median by `minExcess` items.
 * docs/trends.md holds the evaluation on synthetic series (`npm run eval:spikes`).
 */
export interface SpikeOptions {
  baselineDays: number;
  threshold: number;
  minExcess: number;
}

export const DEFAULT_SPIKE_OPTIONS: SpikeOptions = { baselineDays: 14, threshold: 5, minExcess: 5 };

export interface SpikeScore {
  observed: number;
  baseline: number;
  spread: number;
  z: number;
  spike: boolean;
}

/** The same hour of day on the previous days, newest first; hours before the series began are skipped. */
export function seasonalBaseline(hourly: readonly number[], index: number, days: number): number[] {
  const values: number[] = [];
  for (let d = 1; d <= days; d++) {
    const at = index - 24 * d;
    if (at < 0) break;
    values.push(hourly[at]!);
  }
  return values;
}

/** Scores hour `index` of an hourly series; null until a full week of history exists. */
export function scoreHour(hourly: readonly number[], index: number, options: SpikeOptions = DEFAULT_SPIKE_OPTIONS): SpikeScore | null {
  const baseline = seasonalBaseline(hourly, index, options.baselineDays);
  if (baseline.length < 7) return null;
  const observed = hourly[index]!;
  const centre = median(baseline);
  const mad = median(baseline.map((v) => Math.abs(v - centre)));
  const spread = Math.max(1.4826 * mad, Math.sqrt(centre), 1);
  const z = (observed - centre) / spread;
  return { observed, baseline: centre, spread, z, spike: z >= options.threshold && observed - centre >= options.minExcess };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
