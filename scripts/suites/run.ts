/**
 * `npx tsx scripts/suites/run.ts [MODEL_DIR]`: prints the card's suites (identity templates, self-harm slice,
 * benign look-alikes) as JSON for a model artifact (default: the committed models/text-classifier), reading the
 * held-out items from data/heldout.jsonl (`npm run data`).
 */
import { readFileSync } from 'node:fs';
import { loadTextModel } from '../../src/detect/index.ts';
import type { Item } from '../training/pipeline.ts';
import { runSuites } from './index.ts';

const heldout = readFileSync(new URL('../../data/heldout.jsonl', import.meta.url), 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Item);
process.stdout.write(JSON.stringify(runSuites(loadTextModel(process.argv[2]), heldout), null, 2) + '\n');
