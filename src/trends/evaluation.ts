import { seededRandom } from '../detect/index.ts';
import { type SpikeOptions, DEFAULT_SPIKE_OPTIONS, median, scoreHour } from './detector.ts';

/**
 * A small evaluation of spike detectors on synthetic hourly series with injected spikes: what the
 * seasonal robust z-score is defended with. Series have a daily cycle, quieter weekends and
 * Poisson noise at several volumes; spikes multiply the rate for some hours. Measured: the share
 * of spikes detected, the delay from a spike's first hour to its first alarm (in hours; 0 means
 * the alarm came when the spike's first hour closed), and alarms that start outside any spike per
 * series-week. A non-seasonal detector (trailing 24 h mean + k·sd) runs on the same series.
 */
export interface EvaluationOptions {
  seed: number;
  weeks: number;
  seriesPerVolume: number;
  volumes: readonly number[];
  spikesPerSeries: number;
  multipliers: readonly number[];
}

export const DEFAULT_EVALUATION: EvaluationOptions = { seed: 18, weeks: 8, seriesPerVolume: 10, volumes: [5, 20, 100], spikesPerSeries: 4, multipliers: [2, 3, 5] };

export interface DetectorFigures {
  detector: string;
  spikes: number;
  detected: number;
  detection_rate: number;
  median_delay_hours: number | null;
  max_delay_hours: number | null;
  false_alarms: number;
  false_alarms_per_series_week: number;
  by_multiplier: Record<string, { spikes: number; detected: number; median_delay_hours: number | null }>;
}

interface Spike {
  start: number;
  hours: number;
  multiplier: number;
}

type Detector = (hourly: readonly number[], index: number) => boolean;

export function evaluateDetectors(options: EvaluationOptions = DEFAULT_EVALUATION, spikeOptions: SpikeOptions = DEFAULT_SPIKE_OPTIONS): DetectorFigures[] {
  const random = seededRandom(options.seed);
  const series = makeSeries(options, random);
  const detectors: [string, Detector][] = [
    [`seasonal robust z (${spikeOptions.baselineDays} days, z ≥ ${spikeOptions.threshold})`, (h, i) => scoreHour(h, i, spikeOptions)?.spike ?? false],
    ['trailing 24 h mean + 3 sd', trailingMean(3)],
  ];
  return detectors.map(([name, detect]) => measure(name, detect, series, options.weeks));
}

function makeSeries(options: EvaluationOptions, random: () => number): { counts: number[]; spikes: Spike[] }[] {
  const hours = options.weeks * 7 * 24;
  const out: { counts: number[]; spikes: Spike[] }[] = [];
  for (const volume of options.volumes) {
    for (let s = 0; s < options.seriesPerVolume; s++) {
      const phase = random() * 24;
      const spikes: Spike[] = [];
      // Spikes only after two weeks (the baseline's warm-up), never overlapping.
      while (spikes.length < options.spikesPerSeries) {
        const start = 14 * 24 + Math.floor(random() * (hours - 15 * 24));
        const spike = { start, hours: 3 + Math.floor(random() * 10), multiplier: options.multipliers[Math.floor(random() * options.multipliers.length)]! };
        if (spikes.every((other) => start > other.start + other.hours + 48 || start + spike.hours + 48 < other.start)) spikes.push(spike);
      }
      const counts = Array.from({ length: hours }, (_, t) => {
        const daily = 1 + 0.6 * Math.sin((2 * Math.PI * (t % 24 - phase)) / 24);
        const weekend = Math.floor(t / 24) % 7 >= 5 ? 0.7 : 1;
        const boost = spikes.find((spike) => t >= spike.start && t < spike.start + spike.hours)?.multiplier ?? 1;
        return poisson(volume * daily * weekend * boost, random);
      });
      out.push({ counts, spikes });
    }
  }
  return out;
}

function measure(name: string, detect: Detector, series: { counts: number[]; spikes: Spike[] }[], weeks: number): DetectorFigures {
  const delays: number[] = [];
  const byMultiplier = new Map<number, { spikes: number; delays: number[] }>();
  let spikes = 0;
  let falseAlarms = 0;
  for (const { counts, spikes: injected } of series) {
    const alarms = counts.map((_, i) => detect(counts, i));
    for (const spike of injected) {
      spikes++;
      const entry = byMultiplier.get(spike.multiplier) ?? { spikes: 0, delays: [] };
      entry.spikes++;
      const first = alarms.findIndex((alarm, i) => alarm && i >= spike.start && i < spike.start + spike.hours);
      if (first >= 0) {
        delays.push(first - spike.start);
        entry.delays.push(first - spike.start);
      }
      byMultiplier.set(spike.multiplier, entry);
    }
    // An alarm episode (a run of alarming hours) that starts outside every spike is a false alarm.
    for (let i = 14 * 24; i < alarms.length; i++) {
      if (!alarms[i] || alarms[i - 1]) continue;
      if (!injected.some((spike) => i >= spike.start && i < spike.start + spike.hours)) falseAlarms++;
    }
  }
  const seriesWeeks = series.length * (weeks - 2);
  return {
    detector: name,
    spikes,
    detected: delays.length,
    detection_rate: round(delays.length / spikes),
    median_delay_hours: delays.length ? median(delays) : null,
    max_delay_hours: delays.length ? Math.max(...delays) : null,
    false_alarms: falseAlarms,
    false_alarms_per_series_week: round(falseAlarms / seriesWeeks),
    by_multiplier: Object.fromEntries(
      [...byMultiplier].sort(([a], [b]) => a - b).map(([m, e]) => [`x${m}`, { spikes: e.spikes, detected: e.delays.length, median_delay_hours: e.delays.length ? median(e.delays) : null }]),
    ),
  };
}

function trailingMean(k: number): Detector {
  return (hourly, index) => {
    if (index < 24) return false;
    const window = hourly.slice(index - 24, index);
    const mean = window.reduce((a, b) => a + b, 0) / window.length;
    const sd = Math.sqrt(window.reduce((a, b) => a + (b - mean) ** 2, 0) / window.length);
    return hourly[index]! > mean + k * Math.max(sd, 1) && hourly[index]! - mean >= 5;
  };
}

/** Knuth's method for small means, a normal approximation above 50. */
function poisson(mean: number, random: () => number): number {
  if (mean > 50) {
    const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal));
  }
  const limit = Math.exp(-mean);
  let k = 0;
  let p = random();
  while (p > limit) {
    k++;
    p *= random();
  }
  return k;
}

const round = (value: number) => Math.round(value * 1000) / 1000;
