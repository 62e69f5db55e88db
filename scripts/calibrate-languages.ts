/**
 * `npm run calibrate:languages`: fits the per-language offsets (scripts/training/languages.ts) for the committed
 * artifact without retraining it, and writes them into models/text-classifier/model.json — what `npm run train`
 * does after training. Needs data/train.jsonl and data/dev.jsonl (`npm run data`) and ../shared/datasets.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LinearTextModel, readArtifact } from '../src/detect/index.ts';
import { readMultiq, usedTexts, withLanguageCalibration } from './training/languages.ts';
import type { Item } from './training/pipeline.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const datasetsRoot = resolve(process.env.WARDEN_DATASETS ?? join(repoRoot, '..', 'shared', 'datasets'));
const modelDir = join(repoRoot, 'models', 'text-classifier');
const devFile = join(repoRoot, 'data', 'dev.jsonl');
const trainFile = join(repoRoot, 'data', 'train.jsonl');
if (!existsSync(devFile) || !existsSync(trainFile)) throw new Error('data/train.jsonl or data/dev.jsonl is missing: run `npm run data` first');
const dev = readFileSync(devFile, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Item);
const weights = readArtifact(modelDir);
const model = new LinearTextModel(weights);
const { weights: calibrated } = withLanguageCalibration({ model, weights, categories: [...weights.metadata.categories] }, datasetsRoot, dev, usedTexts(readMultiq(trainFile), dev));
const file = join(modelDir, 'model.json');
const metadata = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
writeFileSync(file, JSON.stringify({ ...metadata, languageOffsets: calibrated.metadata.languageOffsets }) + '\n');
process.stderr.write(`language calibration written to ${file}: ${JSON.stringify(calibrated.metadata.languageOffsets)}\n`);
