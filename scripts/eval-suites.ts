/**
 * `npm run eval:suites -- [--model DIR] [--before DIR] [--json]`: runs the evaluation suites (long texts,
 * leetspeak, languages; scripts/training/suites.ts) on a model artifact (the committed one by default) and prints
 * them as the model card does, beside another artifact's figures with --before. Needs data/dev.jsonl and
 * data/train.jsonl (`npm run data`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_MODEL_DIR, LinearTextModel, readArtifact } from '../src/detect/index.ts';
import type { Item } from './training/pipeline.ts';
import { runSuites, suitesMarkdown } from './training/suites.ts';
import { readMultiq, usedTexts } from './training/languages.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const datasetsRoot = resolve(process.env.WARDEN_DATASETS ?? join(repoRoot, '..', 'shared', 'datasets'));
const devFile = join(repoRoot, 'data', 'dev.jsonl');

const { values } = parseArgs({ options: { model: { type: 'string', default: DEFAULT_MODEL_DIR }, before: { type: 'string' }, json: { type: 'boolean', default: false } } });
if (!existsSync(devFile)) throw new Error('data/dev.jsonl is missing: run `npm run data` first');
const dev = readFileSync(devFile, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Item);
const used = usedTexts(readMultiq(join(repoRoot, 'data', 'train.jsonl')), dev);
const after = runSuites(new LinearTextModel(readArtifact(values.model)), dev, datasetsRoot, used);
const before = values.before ? runSuites(new LinearTextModel(readArtifact(values.before)), dev, datasetsRoot, used) : null;
process.stdout.write(values.json ? `${JSON.stringify({ after, before })}\n` : `${suitesMarkdown(after, before).join('\n')}\n`);
