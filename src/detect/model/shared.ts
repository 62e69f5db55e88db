import type { ModelMetadata, ModelWeights } from './artifact.ts';
import { LinearTextModel, type PreparedVectors } from './model.ts';

/**
 * A loaded text model as a detection worker rebuilds it: the metadata (copied to the worker, small) and the
 * large arrays (shared). `textModelFromShared` builds a LinearTextModel that computes exactly what the
 * original computes, reading the same memory.
 */
export interface SharedTextModel {
  metadata: ModelMetadata;
  hashed: Int8Array;
  dense: Float32Array;
  /** The word vectors' token hashes; their rows live on only in `prepared`. */
  wordVectors: { dim: number; hashes: Uint32Array } | null;
  prepared: PreparedVectors;
}

/**
 * The model `model`, built from `weights` (readArtifact's, whose large arrays are shared), as a worker takes it.
 * It keeps no reference to the float32 word-vector rows, which the model no longer needs once built.
 */
export function shareTextModel(weights: ModelWeights, model: LinearTextModel): SharedTextModel {
  const { metadata, hashed, dense, wordVectors } = weights;
  return { metadata, hashed, dense, wordVectors: wordVectors && { dim: wordVectors.dim, hashes: wordVectors.hashes }, prepared: model.preparedVectors() };
}

/** A LinearTextModel over another thread's shared model (what shareTextModel returned there). */
export function textModelFromShared(shared: SharedTextModel): LinearTextModel {
  const { metadata, hashed, dense, wordVectors } = shared;
  return new LinearTextModel({ metadata, hashed, dense, wordVectors: wordVectors && { ...wordVectors, vectors: new Float32Array(0) } }, shared.prepared);
}
