/**
 * The spike detector's evaluation on synthetic series (npm run eval:spikes -- [--seed N] [--threshold Z]):
 * detection rate, delay and false alarms per series-week, beside a non-seasonal detector. JSON out.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_EVALUATION, DEFAULT_SPIKE_OPTIONS, evaluateDetectors } from '../src/trends/index.ts';

const { values } = parseArgs({ options: { seed: { type: 'string' }, threshold: { type: 'string' } } });
const evaluation = { ...DEFAULT_EVALUATION, seed: values.seed ? Number(values.seed) : DEFAULT_EVALUATION.seed };
const options = { ...DEFAULT_SPIKE_OPTIONS, threshold: values.threshold ? Number(values.threshold) : DEFAULT_SPIKE_OPTIONS.threshold };
process.stdout.write(`${JSON.stringify({ evaluation, detectors: evaluateDetectors(evaluation, options) }, null, 2)}\n`);
