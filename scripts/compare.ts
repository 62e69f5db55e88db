/**
 * `npm run train:compare -- VARIANTS.json [--seeds 1,2,3]`: trains each variant of the shipped recipe on
 * data/train.jsonl with each seed, calibrates on the mixed dev split as `npm run train` does, and prints one
 * JSON line per run, then one per variant with the mean and range over seeds. The figures are the ones the
 * model card and the quality targets use: dev F1/AUPRC, the benign-but-scary rate, each dev family's F1 and
 * each held-out source (never trained on). Changes that move a figure less than the seeds do are noise.
 *
 * A variant: { "name": "…", "options": {TrainOptions}, "features": {FeatureConfig}, "dropSources": ["…"],
 * "repeatSources": { "source": times }, "thresholdPriorPositives": k }. Repeats replace the shipped SOURCE_REPEATS
 * source by source, the prior replaces THRESHOLD_PRIOR_POSITIVES: a variant with neither trains the shipped recipe.
 * Word vectors stay those of the full training set.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { Featurizer, featurizeAll, type FeatureMatrix } from '../src/detect/index.ts';
import { trainableSources } from './data/sources.ts';
import { FAMILIES } from './data/labels.ts';
import { metricsAt } from './training/metrics.ts';
import { evaluate, fitModel, flagScore, flaggedRate, isBenignScary, scoreItems, weightedRows, type Item, type ScoreTable } from './training/pipeline.ts';
import { loadLexicon, loadWordVectors } from './training/resources.ts';
import { runSuites, type SuiteFigures } from './suites/index.ts';
import { BENIGN_REQUEST_WEIGHT, FEATURES, MIN_POSITIVES, OPTIONS, SOURCE_REPEATS, THRESHOLD_PRIOR_POSITIVES, VECTOR_LIMIT, VECTOR_MIN_COUNT } from './training/settings.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const datasetsRoot = resolve(process.env.WARDEN_DATASETS ?? join(repoRoot, '..', 'shared', 'datasets'));
const dataDir = join(repoRoot, 'data');

const variantSchema = z
  .object({
    name: z.string().min(1),
    options: z.object({ epochs: z.number().int().positive(), learningRate: z.number().positive(), l2: z.number().nonnegative(), maxPositiveWeight: z.number().positive() }).partial().strict().default({}),
    features: z.object({ words: z.boolean(), chars: z.boolean(), lexicon: z.boolean(), embeddings: z.boolean(), neutral: z.array(z.string()), lexiconGroups: z.number().int().positive() }).partial().strict().default({}),
    dropSources: z.array(z.string()).default([]),
    repeatSources: z.record(z.string(), z.number().int().min(1).max(20)).default({}),
    thresholdPriorPositives: z.number().nonnegative().optional(),
    benignRequestWeight: z.number().positive().optional(),
  })
  .strict();

interface RunFigures {
  devF1: number;
  devAuprc: number;
  benignScaryRate: number;
  /** Per category on dev: F1, recall and the calibrated threshold. */
  categories: Record<string, { f1: number; recall: number; threshold: number }>;
  families: Record<string, number>;
  heldout: Record<string, { f1: number; auprc: number; recall: number; flaggedRate: number }>;
  suites: SuiteFigures;
}

function readItems(file: string): Item[] {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Item);
}

function figures(scores: ScoreTable, items: Item[], thresholds: Record<string, number>): { flags: number[]; labels: number[] } {
  return { flags: scores.map((s) => flagScore(s, thresholds)), labels: items.map((i) => (i.flagged ? 1 : 0)) };
}

function measure(dev: Item[], heldout: Item[], scary: Item[], run: ReturnType<typeof fitModel>): RunFigures {
  const thresholds = run.weights.metadata.thresholds;
  const devScores = scoreItems(run.model, dev);
  const devEval = evaluate(devScores, dev, thresholds, run.categories);
  const { flags, labels } = figures(devScores, dev, thresholds);
  const families = Object.fromEntries(
    FAMILIES.filter((family) => dev.some((i) => i.family === family && i.flagged)).map((family) => {
      const idx = dev.flatMap((item, i) => (item.family === family ? [i] : []));
      return [family, metricsAt(idx.map((i) => flags[i]!), idx.map((i) => labels[i]!), 0.5).f1];
    }),
  );
  const held = figures(scoreItems(run.model, heldout), heldout, thresholds);
  const heldoutFigures = Object.fromEntries(
    [...new Set(heldout.map((i) => i.source))].map((source) => {
      const idx = heldout.flatMap((item, i) => (item.source === source ? [i] : []));
      const m = metricsAt(idx.map((i) => held.flags[i]!), idx.map((i) => held.labels[i]!), 0.5);
      const flaggedShare = idx.filter((i) => held.flags[i]! >= 0.5).length / idx.length;
      return [source, { f1: m.f1, auprc: m.auprc, recall: m.recall, flaggedRate: flaggedShare }];
    }),
  );
  const categories = Object.fromEntries(Object.entries(devEval.categories).map(([category, m]) => [category, { f1: m.f1, recall: m.recall, threshold: m.threshold }]));
  const suites = runSuites(run.model, heldout);
  return { devF1: devEval.binary.f1, devAuprc: devEval.binary.auprc, benignScaryRate: flaggedRate(scoreItems(run.model, scary), thresholds), categories, families, heldout: heldoutFigures, suites };
}

/** Every number of the runs' figures, flattened to "path": [one value per run]. */
function collect(runs: RunFigures[]): Map<string, number[]> {
  const values = new Map<string, number[]>();
  const walk = (value: unknown, path: string) => {
    if (typeof value === 'number') values.set(path, [...(values.get(path) ?? []), value]);
    else if (value && typeof value === 'object') for (const [key, inner] of Object.entries(value)) walk(inner, path ? `${path}.${key}` : key);
  };
  runs.forEach((run) => walk(run, ''));
  return values;
}

function summary(name: string, runs: RunFigures[]): Record<string, unknown> {
  const round = (x: number) => Math.round(x * 1000) / 1000;
  const stats = Object.fromEntries(
    [...collect(runs)].map(([path, xs]) => [path, { mean: round(xs.reduce((a, b) => a + b, 0) / xs.length), min: round(Math.min(...xs)), max: round(Math.max(...xs)) }]),
  );
  return { variant: name, seeds: runs.length, ...stats };
}

function main(): void {
  const args = process.argv.slice(2);
  const file = args.find((a) => !a.startsWith('--'));
  if (!file) throw new Error('usage: npm run train:compare -- VARIANTS.json [--seeds 1,2,3]');
  const seedsAt = args.indexOf('--seeds');
  const seeds = seedsAt >= 0 ? (args[seedsAt + 1] ?? '').split(',').map(Number) : [OPTIONS.seed];
  if (seeds.some((s) => !Number.isInteger(s))) throw new Error('--seeds takes integers separated by commas');
  const variants = z.array(variantSchema).min(1).parse(JSON.parse(readFileSync(file, 'utf8')));

  const trainable = trainableSources();
  const train = readItems(join(dataDir, 'train.jsonl')).filter((i) => trainable.has(i.source));
  const allDev = readItems(join(dataDir, 'dev.jsonl'));
  const dev = allDev.filter((i) => trainable.has(i.source));
  const heldout = readItems(join(dataDir, 'heldout.jsonl'));
  const scary = allDev.filter(isBenignScary);
  const lexicon = loadLexicon(datasetsRoot);
  const vectors = loadWordVectors(train, VECTOR_MIN_COUNT, VECTOR_LIMIT);
  const matrices = new Map<string, FeatureMatrix>();

  for (const variant of variants) {
    const config = { ...FEATURES, ...variant.features };
    const key = JSON.stringify(config);
    if (!matrices.has(key)) matrices.set(key, featurizeAll(new Featurizer(config, lexicon, vectors), train.map((i) => i.text)));
    const sourceRepeats = { ...SOURCE_REPEATS, ...variant.repeatSources };
    const thresholdPriorPositives = variant.thresholdPriorPositives ?? THRESHOLD_PRIOR_POSITIVES;
    const benignRequestWeight = variant.benignRequestWeight ?? BENIGN_REQUEST_WEIGHT;
    const rows = weightedRows(train, sourceRepeats, (item) => !variant.dropSources.includes(item.source));
    const runs = seeds.map((seed) => {
      const options = { ...OPTIONS, ...variant.options, seed };
      const run = fitModel(
        { id: variant.name, train, dev, lexicon, vectors, config, options, minPositives: MIN_POSITIVES, thresholdPriorPositives, benignRequestWeight, languages: [], quiet: true },
        matrices.get(key)!,
        rows,
      );
      const measured = measure(dev, heldout, scary, run);
      process.stdout.write(JSON.stringify({ variant: variant.name, seed, ...measured }) + '\n');
      return measured;
    });
    process.stdout.write(JSON.stringify(summary(variant.name, runs)) + '\n');
  }
}

main();
