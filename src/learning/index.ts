export { TrainingExamples, exampleInput, uploadInput, correctionInput, type ExampleView, type ExampleCounts, type ExampleInput } from './examples.ts';
export { TenantModels, PromotionBlocked, MAX_LOADED_ADAPTERS, DEFAULT_TOLERANCE, type BaseModel, type ModelView, type ModelCard, type Deployment, type Comparison, type TenantModelRuntime } from './models.ts';
export { ShadowTallies, SHADOW_FLUSH_MS, type ShadowTally, type ShadowExample } from './shadow.ts';
export { TenantAdapter, trainAdapter, adapterFeatures, weightsDigest, DEFAULT_TRAIN_OPTIONS, ADAPTER_FORMAT, type AdapterWeights, type TrainingItem, type TrainOptions } from './adapter.ts';
export { isHeldOut, compare, suggestThresholds, type Scorer, type CategoryComparison, type ThresholdSuggestion, type Metrics } from './evaluation.ts';
