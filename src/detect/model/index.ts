import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readArtifact } from './artifact.ts';
import { LinearTextModel, type TextModel } from './model.ts';

export type { TextModel, WindowParts, WindowSpan } from './model.ts';
export { windowLogit, windowRanges, type WindowCalibration, type WindowRanges, type WindowShape } from './windows.ts';
export { LinearTextModel } from './model.ts';
export { detectLanguage, loadEldReference, detectLanguageWithNgrams, MarkerLanguageIdentifier, type DetectedLanguage, type LanguageCalibration, type LanguageMarkers } from './language.ts';
export { Featurizer, tokenize, tokenHash, type FeatureConfig, type WordVectors } from './features.ts';
export { LEXICON_GROUPS, type LexiconTerm } from './lexicon.ts';
export { featurizeAll, trainLinearHeads, quantizeHashed, type FeatureMatrix, type TrainOptions, type LinearHeads } from './train.ts';
export { readArtifact, writeArtifact, quantizeRows, ARTIFACT_FORMAT, type ModelMetadata, type ModelWeights } from './artifact.ts';
export { hashString, seededRandom } from './hash.ts';
export { shareTextModel, textModelFromShared, type SharedTextModel } from './shared.ts';
export { eldTables, useEldTables, type EldTables } from './eld-ngrams.ts';

export const DEFAULT_MODEL_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'models', 'text-classifier');

/** Loads the committed text classifier (models/text-classifier by default). */
export function loadTextModel(dir: string = DEFAULT_MODEL_DIR): TextModel {
  return new LinearTextModel(readArtifact(join(dir)));
}
