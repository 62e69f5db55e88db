/**
 * `npm run calibrate:windows`: fits the window calibration of long texts (scripts/training/long-texts.ts) for the
 * committed artifact without retraining it, and writes it into models/text-classifier/model.json — what `npm run
 * train` does after training. Needs data/dev.jsonl (`npm run data`).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LinearTextModel, readArtifact } from '../src/detect/index.ts';
import { withWindowCalibration } from './training/long-texts.ts';
import type { Item } from './training/pipeline.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const modelDir = join(repoRoot, 'models', 'text-classifier');
const devFile = join(repoRoot, 'data', 'dev.jsonl');
if (!existsSync(devFile)) throw new Error('data/dev.jsonl is missing: run `npm run data` first');
const dev = readFileSync(devFile, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Item);
const weights = readArtifact(modelDir);
const model = new LinearTextModel(weights);
const { weights: calibrated } = withWindowCalibration({ model, weights, categories: [...weights.metadata.categories] }, dev);
const file = join(modelDir, 'model.json');
const metadata = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
writeFileSync(file, JSON.stringify({ ...metadata, windows: calibrated.metadata.windows }) + '\n');
process.stderr.write(`window calibration written to ${file}: ${JSON.stringify(calibrated.metadata.windows)}\n`);
