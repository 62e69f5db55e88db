export { normalize, originalSpan, type Normalized } from './normalize.ts';
export { TextInput, type DetectionProvider, type ProviderResult, type Evidence, type CategoryScores } from './types.ts';
export { Detection, textModelProvider, TEXT_MODEL_PROVIDER, type DetectionResult, type ScoringModel, type LanguageSupport, type LanguageVerdict } from './engine.ts';
export { identifiersProvider, findSensitiveIdentifiers } from './detectors/identifiers.ts';
export { profanityProvider, findProfanity } from './detectors/profanity.ts';
export { localDetection, localDetectionThread, localModelFingerprint, localDetectionTables, detectionFromTables, type DetectionTables } from './local.ts';
export { DetectionThread, spawnDetectionWorker, analyseInput, type InputAnalysis } from './thread.ts';
export { AnalysisEncoder, AnalysisDecoder, type PackedAnalyses } from './packed.ts';
export * from './model/index.ts';
export {
  evaluate,
  averagePrecision,
  precisionRecallF1,
  thresholdRelativeScore,
  parseLabelledJsonl,
  labelledItemSchema,
  type EvaluationReport,
  type BinaryMetrics,
  type LabelledItem,
} from './evaluation.ts';
