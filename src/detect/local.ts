import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { identifiersProvider } from './detectors/identifiers.ts';
import { profanityProvider } from './detectors/profanity.ts';
import { Detection, textModelProvider } from './engine.ts';
import {
  DEFAULT_MODEL_DIR,
  type EldTables,
  LinearTextModel,
  type SharedTextModel,
  type TextModel,
  detectLanguage,
  eldTables,
  readArtifact,
  shareTextModel,
  textModelFromShared,
  useEldTables,
} from './model/index.ts';
import { DetectionThread, spawnDetectionWorker } from './thread.ts';

/**
 * What the built-in detection is built from, as a detection worker takes it (in workerData): the committed
 * model and eld's n-gram table, whose large arrays are SharedArrayBuffers that the worker reads in place.
 */
export interface DetectionTables {
  model: SharedTextModel;
  eld: EldTables;
}

/** The detection, and how to hand its model to a worker (prepared when a worker starts: its vector copy is not kept). */
let cached: { detection: Detection; model: () => SharedTextModel } | undefined;
let thread: DetectionThread | undefined;

/**
 * Warden's built-in detection: the trained text model first (its calibrated thresholds win),
 * then the deterministic detectors, with the model's languages as the supported ones.
 */
export function detectionWithModel(model: TextModel): Detection {
  return new Detection([textModelProvider(model), identifiersProvider(), profanityProvider()], {
    identify: detectLanguage,
    trained: model.languages,
  });
}

/** The committed model, loaded once; its large arrays are shared (see DetectionTables). */
function loaded(): { detection: Detection; model: () => SharedTextModel } {
  if (cached) return cached;
  // The weights' float32 word-vector rows are garbage once the model is built: only their hashes are kept.
  const { wordVectors, ...weights } = readArtifact(DEFAULT_MODEL_DIR);
  const model = new LinearTextModel({ ...weights, wordVectors });
  const kept = { ...weights, wordVectors: wordVectors && { dim: wordVectors.dim, hashes: wordVectors.hashes, vectors: new Float32Array(0) } };
  cached = { detection: detectionWithModel(model), model: () => shareTextModel(kept, model) };
  return cached;
}

/** The built-in detection over the committed model, loaded on first use and shared by the whole process. */
export function localDetection(): Detection {
  return loaded().detection;
}

/** The tables localDetection() computes over (eld's table loaded now if it was not yet), for a detection worker. */
export function localDetectionTables(): DetectionTables {
  return { model: loaded().model(), eld: eldTables() };
}

/**
 * The built-in detection over another thread's localDetectionTables(): the same results as that thread's
 * localDetection(), over the same memory. Becomes this thread's localDetection() (a worker has no other).
 */
export function detectionFromTables(tables: DetectionTables): Detection {
  useEldTables(tables.eld);
  const detection = detectionWithModel(textModelFromShared(tables.model));
  // The vectors' values are in this thread's kernels now: the copy that came in workerData (which the worker keeps) can go.
  tables.model.prepared.values = new Int16Array(0);
  cached = {
    detection,
    model: () => {
      throw new Error('A detection worker starts no worker of its own.');
    },
  };
  return detection;
}

/**
 * Names the committed model artefact exactly (its id and a digest of its metadata, which holds every
 * threshold and calibration): what a tenant model trained over it records, so that it is never
 * served over another artefact.
 */
export function localModelFingerprint(dir: string = DEFAULT_MODEL_DIR): string {
  const metadata = readFileSync(join(dir, 'model.json'));
  const { id } = JSON.parse(metadata.toString('utf8')) as { id: string };
  return `${id}@${createHash('sha256').update(metadata).digest('hex').slice(0, 12)}`;
}

/**
 * The built-in detection on a worker thread (see DetectionThread), shared by the whole process; the thread
 * starts on first use, over this thread's tables (localDetectionTables: it loads no model of its own).
 */
export function localDetectionThread(): DetectionThread {
  thread ??= new DetectionThread(localDetection(), () => spawnDetectionWorker(localDetectionTables()));
  return thread;
}
