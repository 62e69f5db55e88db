import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Category } from '../../common/index.ts';
import type { FeatureConfig, WordVectors } from './features.ts';
import type { LexiconTerm } from './lexicon.ts';
import type { WindowCalibration } from './windows.ts';
import type { LanguageCalibration } from './language.ts';
import { sharedCopy } from './shared-array.ts';

/**
 * The committed model: `model.json` (metadata, lexicon, thresholds, biases, dense weights as base64 float32)
 * and two binary files — `hashed.bin` (int8 weights, bucket-major: buckets × categories, one scale per
 * category) and `vectors.bin` (pruned word vectors: uint32 token hashes, float32 row scales, int8 rows).
 */
export const ARTIFACT_FORMAT = 'warden-text-classifier/1';

export interface ModelMetadata {
  format: typeof ARTIFACT_FORMAT;
  id: string;
  categories: Category[];
  thresholds: Record<string, number>;
  languages: string[];
  config: FeatureConfig;
  lexicon: LexiconTerm[];
  bias: number[];
  hashedScales: number[];
  /** denseDim × categories float32, base64. */
  denseWeights: string;
  vectorCount: number;
  vectorDim: number;
  training: Record<string, unknown>;
  /** How long texts are also scored in windows, calibrated by `npm run train`; absent: whole texts only. */
  windows?: WindowCalibration;
  /** Logit offsets for texts in languages the model was not trained on, calibrated after training; absent: none. */
  languageOffsets?: LanguageCalibration;
}

export interface ModelWeights {
  metadata: ModelMetadata;
  hashed: Int8Array;
  dense: Float32Array;
  wordVectors: WordVectors | null;
}

function toBase64(values: Float32Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
}

function fromBase64(text: string): Float32Array {
  const bytes = Buffer.from(text, 'base64');
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}

/** Quantises each row to int8 with its own scale. */
export function quantizeRows(values: Float32Array, rows: number, dim: number): { scales: Float32Array; data: Int8Array } {
  const scales = new Float32Array(rows);
  const data = new Int8Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    let max = 0;
    for (let d = 0; d < dim; d++) max = Math.max(max, Math.abs(values[r * dim + d]!));
    const scale = max > 0 ? max / 127 : 1;
    scales[r] = scale;
    for (let d = 0; d < dim; d++) data[r * dim + d] = Math.round(values[r * dim + d]! / scale);
  }
  return { scales, data };
}

export function writeArtifact(dir: string, weights: Omit<ModelWeights, 'metadata'> & { metadata: Omit<ModelMetadata, 'denseWeights'> }): void {
  mkdirSync(dir, { recursive: true });
  const metadata: ModelMetadata = { ...weights.metadata, denseWeights: toBase64(weights.dense) };
  writeFileSync(join(dir, 'model.json'), JSON.stringify(metadata) + '\n');
  writeFileSync(join(dir, 'hashed.bin'), weights.hashed);
  const vectors = weights.wordVectors;
  if (vectors) {
    const count = vectors.hashes.length;
    const { scales, data } = quantizeRows(vectors.vectors, count, vectors.dim);
    writeFileSync(join(dir, 'vectors.bin'), Buffer.concat([Buffer.from(vectors.hashes.buffer, vectors.hashes.byteOffset, count * 4), Buffer.from(scales.buffer), Buffer.from(data.buffer)]));
  }
}

export function readArtifact(dir: string): ModelWeights {
  const metadata = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as ModelMetadata;
  if (metadata.format !== ARTIFACT_FORMAT) throw new Error(`unsupported model format ${String(metadata.format)} in ${dir}`);
  // The large arrays that inference keeps go to SharedArrayBuffers, so that a detection worker can use them as they are.
  const hashed = new Int8Array(sharedCopy(Uint8Array, readFileSync(join(dir, 'hashed.bin'))).buffer);
  let wordVectors: WordVectors | null = null;
  if (metadata.vectorCount > 0) {
    const bytes = readFileSync(join(dir, 'vectors.bin'));
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    const count = metadata.vectorCount;
    const dim = metadata.vectorDim;
    // A copy of its own: a view would keep the whole file's buffer (int8 rows and scales) alive with the model.
    const hashes = sharedCopy(Uint32Array, new Uint32Array(buffer, 0, count));
    const scales = new Float32Array(buffer, count * 4, count);
    const data = new Int8Array(buffer, count * 8, count * dim);
    const vectors = new Float32Array(count * dim);
    for (let r = 0; r < count; r++) for (let d = 0; d < dim; d++) vectors[r * dim + d] = data[r * dim + d]! * scales[r]!;
    wordVectors = { dim, hashes, vectors };
  }
  return { metadata, hashed, dense: fromBase64(metadata.denseWeights), wordVectors };
}
