import { Featurizer, featurizeAll, type FeatureConfig, type FeatureMatrix, type LexiconTerm, type TrainOptions, type WordVectors } from '../../src/detect/index.ts';
import { FAMILIES } from '../data/labels.ts';
import { bestF1Threshold, metricsAt } from './metrics.ts';
import { fitModel, flagScore, scoreItems, weightedRows, type Item } from './pipeline.ts';
import { Progress } from './progress.ts';
import type { FamilyResult, Validation } from './report.ts';

export interface ValidationInput {
  train: Item[];
  dev: Item[];
  lexicon: LexiconTerm[];
  vectors: WordVectors | null;
  features: FeatureConfig;
  options: TrainOptions;
  sourceRepeats: Readonly<Record<string, number>>;
  minPositives: number;
  thresholdPriorPositives: number;
  benignRequestWeight: number;
}

/** Train without `family`, calibrate on the other families' dev texts, test on every text of `family`. */
function leaveOut(input: ValidationInput, features: FeatureConfig, matrix: FeatureMatrix, family: string): FamilyResult {
  const rows = weightedRows(input.train, input.sourceRepeats, (item) => item.family !== family);
  const trained = fitModel(
    {
      id: `lofo-${family}`,
      train: input.train,
      dev: input.dev.filter((i) => i.family !== family),
      lexicon: input.lexicon,
      vectors: input.vectors,
      config: features,
      options: { ...input.options, epochs: VALIDATION_EPOCHS },
      minPositives: input.minPositives,
      thresholdPriorPositives: input.thresholdPriorPositives,
      benignRequestWeight: input.benignRequestWeight,
      languages: [],
      quiet: true,
    },
    matrix,
    rows,
  );
  const test = [...input.train, ...input.dev].filter((i) => i.family === family);
  const thresholds = trained.weights.metadata.thresholds;
  const scores = scoreItems(trained.model, test).map((s) => flagScore(s, thresholds));
  const labels = test.map((i) => (i.flagged ? 1 : 0));
  const atDev = metricsAt(scores, labels, 0.5);
  const best = metricsAt(scores, labels, bestF1Threshold(scores, labels));
  const benign = scores.filter((_, i) => labels[i] === 0);
  return {
    family,
    n: test.length,
    nPos: atDev.nPos,
    auprc: atDev.auprc,
    f1AtDevThresholds: atDev.f1,
    precisionAtDevThresholds: atDev.precision,
    recallAtDevThresholds: atDev.recall,
    f1AtBestThreshold: best.f1,
    benignFlaggedRate: benign.length > 0 ? benign.filter((s) => s >= 0.5).length / benign.length : 0,
  };
}

/** Fewer epochs than the shipped model, so that 3 variants × 7 families fit in the training budget. */
export const VALIDATION_EPOCHS = 2;

const VARIANTS: { name: string; change: Partial<FeatureConfig> }[] = [
  { name: 'all blocks (shipped)', change: {} },
  { name: 'without lexicon', change: { lexicon: false } },
  { name: 'without word vectors', change: { embeddings: false } },
];

export function runValidation(input: ValidationInput): Validation {
  const started = performance.now();
  const families = FAMILIES.filter((family) => input.train.some((i) => i.family === family && i.flagged));
  const progress = new Progress('validate (LOFO)', VARIANTS.length * families.length);
  let done = 0;
  const results = VARIANTS.map((variant) => {
    const features = { ...input.features, ...variant.change };
    const matrix = featurizeAll(new Featurizer(features, input.lexicon, input.vectors), input.train.map((i) => i.text));
    const perFamily = families.map((family) => {
      const result = leaveOut(input, features, matrix, family);
      progress.update(++done);
      return result;
    });
    return { variant, perFamily };
  });
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  return {
    lofo: results[0]!.perFamily,
    ablation: results.map(({ variant, perFamily }) => ({
      name: variant.name,
      meanAuprc: mean(perFamily.map((r) => r.auprc)),
      meanF1: mean(perFamily.map((r) => r.f1AtDevThresholds)),
      benignFlaggedRate: mean(perFamily.map((r) => r.benignFlaggedRate)),
      perFamily: Object.fromEntries(perFamily.map((r) => [r.family, r.auprc])),
    })),
    seconds: (performance.now() - started) / 1000,
  };
}
