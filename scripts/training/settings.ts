import type { FeatureConfig, TrainOptions } from '../../src/detect/index.ts';

/** The shipped model's feature blocks and optimiser settings. */
export const FEATURES: FeatureConfig = { buckets: 1 << 18, words: true, chars: true, lexicon: true, embeddings: true };
export const OPTIONS: TrainOptions = { epochs: 4, learningRate: 0.05, l2: 1e-6, seed: 20240110, maxPositiveWeight: 8 };
