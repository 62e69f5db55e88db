import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { identifiersProvider } from './detectors/identifiers.ts';
import { profanityProvider } from './detectors/profanity.ts';
import { Detection, textModelProvider } from './engine.ts';
import { DEFAULT_MODEL_DIR, type TextModel, detectLanguage, loadTextModel } from './model/index.ts';
import { DetectionThread, spawnDetectionWorker } from './thread.ts';

let cached: Detection | undefined;
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

/** The built-in detection over the committed model, loaded on first use and shared by the whole process. */
export function localDetection(): Detection {
  cached ??= detectionWithModel(loadTextModel());
  return cached;
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
 * starts on first use.
 */
export function localDetectionThread(): DetectionThread {
  thread ??= new DetectionThread(localDetection(), spawnDetectionWorker);
  return thread;
}
