import { LEXICON_GROUPS, type FeatureConfig, type TrainOptions } from '../../src/detect/index.ts';
import { neutralIdentityTokens } from '../data/identities.ts';

/**
 * The shipped model's feature blocks and optimiser settings. The names of identity groups are neutral words (no
 * weight of their own, see FeatureConfig.neutral) and the lexicon block has the self-harm group: both measured
 * with train:compare (models/README.md).
 */
export const FEATURES: FeatureConfig = { buckets: 1 << 18, words: true, chars: true, lexicon: true, embeddings: true, neutral: neutralIdentityTokens(), lexiconGroups: LEXICON_GROUPS.length };
export const OPTIONS: TrainOptions = { epochs: 4, learningRate: 0.05, l2: 1e-6, seed: 20240110, maxPositiveWeight: 8 };

/** Word vectors kept: words in at least this many training texts, at most VECTOR_LIMIT of them. */
export const VECTOR_MIN_COUNT = 3;
export const VECTOR_LIMIT = 40000;
/** A category gets a head only with at least this many training positives. */
export const MIN_POSITIVES = 20;
/**
 * Thresholds are pulled toward 0.5 as if this many more dev positives had voted for it (pipeline.ts shrunkThreshold):
 * the F1-best threshold of a category with a few dozen dev positives swings from one retraining to the next.
 */
export const THRESHOLD_PRIOR_POSITIVES = 60;

/**
 * Sources seen more than once per epoch. WildGuardMix (harmful and adversarially benign prompts on the same
 * topics) and JailbreakBench (harmful/benign twins) are the only sources that teach intent apart from topic,
 * and at 1× they are about 1% of the rows; the benign instructions (Dolly, awesome-chatgpt-prompts) are
 * repeated too, so that the extra harmful requests do not make everyday instructions look harmful.
 * `npm run train:compare -- scripts/training/variants/source-repeats.json --seeds 20240110,1,2` measures this
 * against the alternatives (the model card lists the figures).
 * The trained benign look-alikes (the OR-Bench-80K sample, CoCoNot pref) are repeated ×4: they are the only benign
 * requests in the style of OR-Bench-Hard-1K, and at 1× the illicit head read their topics as harm
 * (`scripts/training/variants/lookalikes.json`, models/README.md "Benign look-alikes (third pass)").
 */
export const SOURCE_REPEATS: Readonly<Record<string, number>> = { wildguardmix: 3, jailbreakbench: 3, dolly_instructions: 2, awesome_chatgpt_prompts: 2, orbench80k: 4, coconot_pref: 4 };

/** Weight of each benign dev request in threshold calibration (pipeline.ts PipelineInput.benignRequestWeight). */
export const BENIGN_REQUEST_WEIGHT = 1;
