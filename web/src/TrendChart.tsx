import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Spike, TrendSeries } from './trends-api.ts';

const COLOURS = ['#0b57d0', '#b3261e', '#146c2e', '#a15c00', '#7b1fa2', '#00838f', '#5d4037', '#c2185b', '#455a64', '#827717'];

/** A series' name on the chart: "" is the dimension's absent value (for categories: results that violated nothing). */
export function seriesLabel(key: string | null): string {
  if (key === null) return 'all';
  return key === '' ? '(none)' : key;
}

/**
 * Counts per bucket as a uPlot line chart, one line per series; spikes in the window are shaded
 * red with their series named. Clicking the plot picks the bucket under the cursor.
 */
export function TrendChart({ series, spikes, bucketMs, onPick }: { series: TrendSeries[]; spikes: Spike[]; bucketMs: number; onPick: (bucket: string) => void }) {
  const container = useRef<HTMLDivElement>(null);
  const pick = useRef(onPick);
  pick.current = onPick;

  useEffect(() => {
    const element = container.current;
    if (!element || series.length === 0) return;
    const buckets = series[0]!.points.map((p) => Date.parse(p.bucket) / 1000);
    const data: uPlot.AlignedData = [buckets, ...series.map((s) => s.points.map((p) => p.count))];
    const shaded = spikes.map((spike) => ({ label: spike.series, from: Date.parse(spike.started_at) / 1000, to: (Date.parse(spike.last_bucket) + 3_600_000) / 1000 }));
    const options: uPlot.Options = {
      width: Math.max(480, element.clientWidth),
      height: 320,
      series: [{}, ...series.map((s, i) => ({ label: seriesLabel(s.key), stroke: COLOURS[i % COLOURS.length], width: 2, points: { show: buckets.length <= 60 } }))],
      axes: [{}, { label: 'items', size: 50 }],
      scales: { x: { time: true, range: (_u, min, max) => [min, max + bucketMs / 1000] } },
      hooks: { draw: [(u) => drawSpikes(u, shaded)] },
    };
    const plot = new uPlot(options, data, element);
    const over = plot.over;
    const onClick = () => {
      const index = plot.cursor.idx;
      if (index !== null && index !== undefined) pick.current(series[0]!.points[index]!.bucket);
    };
    over.addEventListener('click', onClick);
    return () => {
      over.removeEventListener('click', onClick);
      plot.destroy();
    };
  }, [series, spikes, bucketMs]);

  return <div ref={container} className="trend-chart" data-testid="trend-chart" />;
}

function drawSpikes(u: uPlot, spikes: { label: string; from: number; to: number }[]): void {
  const { ctx } = u;
  const { top, height } = u.bbox;
  ctx.save();
  for (const spike of spikes) {
    const left = u.valToPos(spike.from, 'x', true);
    const right = u.valToPos(spike.to, 'x', true);
    ctx.fillStyle = 'rgba(179, 38, 30, 0.15)';
    ctx.fillRect(left, top, Math.max(2, right - left), height);
    ctx.fillStyle = '#b3261e';
    ctx.font = `${12 * devicePixelRatio}px system-ui, sans-serif`;
    ctx.fillText(`spike: ${spike.label}`, left + 4, top + 14 * devicePixelRatio);
  }
  ctx.restore();
}
