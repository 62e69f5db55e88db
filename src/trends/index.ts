export { TrendCounter, GRANULARITIES, TREND_SOURCES, RETENTION_DAYS, GRANULARITY_MS, bucketStart, type Granularity, type TrendSource, type TrendPoint } from './counts.ts';
export { querySeries, trendQuerySchema, MAX_POINTS, type TrendQuery, type TrendSeries } from './series.ts';
export { SpikeMonitor, CHECK_GRACE_MS, type SpikeView } from './monitor.ts';
export { scoreHour, seasonalBaseline, DEFAULT_SPIKE_OPTIONS, type SpikeOptions, type SpikeScore } from './detector.ts';
export { evaluateDetectors, DEFAULT_EVALUATION, type EvaluationOptions, type DetectorFigures } from './evaluation.ts';
export { countModerations } from './moderation.ts';
export { trendItems, trendItemsQuerySchema, type TrendItems, type TrendItemsQuery } from './items.ts';
